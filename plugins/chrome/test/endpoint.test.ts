import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Gate } from "@worksite/core";
import CDP from "chrome-remote-interface";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activePortWebSocket } from "../src/index.js";
import {
  chromeGate,
  html,
  refOf,
  serve,
  type tempDir,
  waitUntil,
  chromeTestFolders,
  type ChromeTestFolders,
} from "./helpers.js";

/*
 * DevTools endpoint mode against a Chromium the person started with --remote-debugging-port:
 * found by autoConnect (DevToolsActivePort) and by browserUrl; the agent sees only the tabs it opened.
 */
let site: Awaited<ReturnType<typeof serve>>;
let profile: Awaited<ReturnType<typeof tempDir>>;
let worksite: Awaited<ReturnType<typeof tempDir>>;
let _state: Awaited<ReturnType<typeof tempDir>>;
let chromium: ChildProcess;
let port = 0;
let folders: ChromeTestFolders | undefined;

beforeAll(async () => {
  site = await serve({
    "/form": html(
      `<h1>Form</h1><label>Name <input name="n"></label><button onclick="document.title='sent'">Send</button>`,
      "Form",
    ),
    "/mine": html("<h1>The person's own tab</h1>", "Mine"),
  });
  folders = await chromeTestFolders("worksite-chrome-endpoint-");
  ({ profile, worksite, _state } = folders);
  chromium = spawn(
    process.env.CHROME_PATH ?? "/usr/bin/chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile.path}`,
      `${site.origin}/mine`,
    ],
    { stdio: "ignore" },
  );
  // Chromium writes the file in two steps: wait until it names the browser's path too.
  const ws = await waitUntil(
    () =>
      existsSync(join(profile.path, "DevToolsActivePort"))
        ? activePortWebSocket(profile.path).catch(() => undefined)
        : undefined,
    "DevToolsActivePort",
  );
  port = Number(new URL(ws.replace(/^ws/, "http")).port);
});

afterAll(async () => {
  if (chromium && chromium.exitCode === null) {
    const exited = new Promise((resolve) => chromium.once("exit", resolve));
    chromium.kill();
    await exited;
  }
  await site?.close();
  await folders?.remove();
});

const permissions = (origin: string) =>
  [
    "# Permissions",
    "",
    "## Allow",
    `- \`chrome.*(${origin}/**)\``,
    `- \`chrome.type(${origin}/**)\``,
    `- \`chrome.click(${origin}/**)\``,
    "",
  ].join("\n");

describe("DevTools endpoint mode", () => {
  it("drives a Chrome found by its profile's DevToolsActivePort, seeing only the tabs it opened", async () => {
    const { gate } = await chromeGate(worksite.path, permissions(site.origin), { autoConnect: profile.path });
    try {
      const opened = await gate.call({ tool: "chrome.open", input: { url: `${site.origin}/form` } });
      expect(opened.status).toBe("ok");
      const tabs = await gate.call({ tool: "chrome.tabs", input: { action: "list" } });
      expect(tabs.status === "ok" && tabs.result.content).toContain("/form");
      expect(tabs.status === "ok" && tabs.result.content).not.toContain("/mine");
      const snap = await gate.call({ tool: "chrome.snapshot", input: {} });
      if (snap.status !== "ok") throw new Error(snap.status);
      const typed = await gate.call({
        tool: "chrome.type",
        input: { ref: refOf(snap.result.content, /textbox "Name"/), element: "Name", text: "Ada" },
      });
      expect(typed.status).toBe("ok");
      const clicked = await gate.call({
        tool: "chrome.click",
        input: { ref: refOf(snap.result.content, /button "Send"/), element: "Send" },
      });
      expect(clicked.status).toBe("ok");
    } finally {
      await gate_dispose(gate);
    }
    // The tab it opened is closed when the session ends; the person's own tab stays.
    const left = await CDP.List({ port });
    expect(left.filter((t: { type: string }) => t.type === "page").map((t: { url: string }) => t.url)).toEqual([
      `${site.origin}/mine`,
    ]);
  });

  it("drives a Chrome found by browserUrl, and says what to do when nothing answers there", async () => {
    const { gate } = await chromeGate(worksite.path, permissions(site.origin), {
      browserUrl: `http://127.0.0.1:${port}`,
    });
    try {
      const opened = await gate.call({ tool: "chrome.open", input: { url: `${site.origin}/form` } });
      expect(opened.status).toBe("ok");
    } finally {
      await gate_dispose(gate);
    }
    const dead = await chromeGate(worksite.path, permissions(site.origin), { browserUrl: "http://127.0.0.1:9" });
    const refused = await dead.gate.call({ tool: "chrome.open", input: { url: `${site.origin}/form` } });
    expect(refused.status).toBe("error");
    expect("message" in refused && refused.message).toContain("does not answer");
    await gate_dispose(dead.gate);
  });
});

describe("the way in, chosen in THREAD.md", () => {
  it("takes chrome: { autoConnect } from THREAD.md when the plugin is given no options", async () => {
    await writeFile(
      join(worksite.path, "THREAD.md"),
      `---\nplugins: [chrome]\nchrome:\n  autoConnect: ${profile.path}\n---\n# Endpoint\n`,
    );
    const { gate } = await chromeGate(worksite.path, permissions(site.origin), {});
    try {
      const opened = await gate.call({ tool: "chrome.open", input: { url: `${site.origin}/form` } });
      expect(opened.status).toBe("ok");
    } finally {
      await gate_dispose(gate);
      await rm(join(worksite.path, "THREAD.md"));
    }
  });
});

async function gate_dispose(gate: Gate) {
  await gate.dispose();
}
