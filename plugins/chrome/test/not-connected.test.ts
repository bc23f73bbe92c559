import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Gate, GateResult } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPairingStore } from "../src/index.js";
import {
  allowOnConnect,
  type ChromeTestFolders,
  chromeGate,
  chromeTestFolders,
  html,
  personsChrome,
  serve,
  shareTab,
  waitUntil,
  warningsLog,
} from "./helpers.js";

/*
 * Issue 14, brief J item 2: what an agent reads when Chrome is not connected never holds the connect page's
 * address, whose path is where a person pairs the extension with this process's relay: a program that read it could
 * pair in the extension's place. The person still sees it, in the warnings the process writes to its own terminal.
 * One test per not-connected state; each looks for the pairing path itself in the tool's answer and the audit log.
 */
let site: Awaited<ReturnType<typeof serve>>;
let folders: ChromeTestFolders;
let root: string;
let gate: Gate | undefined;
let plugin: Awaited<ReturnType<typeof chromeGate>>["plugin"] | undefined;
let browser: Browser | undefined;
let hands: Page | undefined;

const permissions = () => ["# Permissions", "", "## Allow", `- \`chrome.read(${site.origin}/**)\``, ""].join("\n");

beforeAll(async () => {
  site = await serve({ "/shared": html("<h1>Shared page</h1>", "Shared") });
  folders = await chromeTestFolders();
  root = folders.worksite.path;
});

afterEach(async () => {
  await gate?.dispose();
  gate = undefined;
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

/** A read through the gate with `connectTimeoutMs`, and the pairing path of the relay it started. */
async function readNotConnected(
  connectTimeoutMs: number,
): Promise<{ answer: string; path: string; warnings: string; audit: string }> {
  const log = warningsLog();
  ({ gate, plugin } = await chromeGate(root, permissions(), { connectTimeoutMs, openConnectPage: () => {} }, log));
  const out: GateResult = await gate.call({ tool: "chrome.read", input: {} });
  expect(out.status).toBe("error");
  const path = new URL(plugin.session.relay()!.extensionUrl).pathname;
  // The secret part of the path, not the fixed "/extension/" before it.
  expect(path).toMatch(/^\/extension\/[\w-]{20,}$/);
  return {
    answer: JSON.stringify(out),
    path,
    warnings: log.warnings.join("\n"),
    audit: readFileSync(join(root, ".worksite", "audit.jsonl"), "utf8"),
  };
}

function keptAwayFromTheAgent(seen: Awaited<ReturnType<typeof readNotConnected>>) {
  const secret = seen.path.split("/").pop()!;
  expect(seen.answer).toContain("Chrome is not connected");
  expect(seen.answer).toContain("a person must");
  expect(seen.answer).toContain("worksite chrome connect --worksite DIR");
  expect(seen.answer).not.toContain(secret);
  expect(seen.answer).not.toContain("connect.html");
  expect(seen.audit).not.toContain(secret);
  // The person's terminal has it.
  expect(seen.warnings).toContain(secret);
}

describe("the agent is told Chrome is not connected, never where to pair", () => {
  it("not paired: the answer says a person must run `worksite chrome connect`, and holds no pairing path", async () => {
    const seen = await readNotConnected(300);
    keptAwayFromTheAgent(seen);
    expect(seen.answer).toContain("click Allow");
  });

  it("paired, and the extension does not come to the kept address: no pairing path in the answer", async () => {
    // What Allow on a connect page leaves in the person's state folder.
    openPairingStore(root).issue();
    const seen = await readNotConnected(300);
    keptAwayFromTheAgent(seen);
    expect(seen.answer).toContain("Stop was pressed in its popup");
  });

  it("paired, and another program holds the kept address: the answer names it, not the new pairing path", async () => {
    const port = openPairingStore(root).readAddress()!.port;
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    try {
      const seen = await readNotConnected(300);
      keptAwayFromTheAgent(seen);
      expect(seen.answer).toContain(`127.0.0.1:${port} is taken by another program`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it("connected, then the person pressed Stop: the next call's answer holds no pairing path either", async () => {
    const person = await personsChrome(folders.profile.path);
    browser = person.browser;
    hands = await person.extensionPage();
    await (await browser.newPage()).goto(`${site.origin}/shared`);
    await shareTab(hands, `${site.origin}/shared`);
    // The token issued above is not the extension's: forgotten, so this run shows the connect page and pairs by Allow.
    openPairingStore(root).forget();
    const log = warningsLog();
    ({ gate, plugin } = await chromeGate(
      root,
      permissions(),
      { connectTimeoutMs: 10_000, openConnectPage: allowOnConnect(browser) },
      log,
    ));
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    await hands.evaluate(() => chrome.runtime.sendMessage({ type: "stop" }));
    await waitUntil(() => !plugin!.session.relay()!.state().connected, "the relay to see the extension stop");
    const path = new URL(plugin.session.relay()!.extensionUrl).pathname;
    const secret = path.split("/").pop()!;
    const out = await gate.call({ tool: "chrome.read", input: {} });
    expect(out.status).toBe("error");
    const answer = JSON.stringify(out);
    expect(answer).toContain("Chrome is not connected");
    expect(answer).not.toContain(secret);
    expect(readFileSync(join(root, ".worksite", "audit.jsonl"), "utf8")).not.toContain(secret);
    expect(log.warnings.join("\n")).toContain(secret);
  });
});
