import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGate, openAuditLog, parsePermissions, type Gate } from "@worksite/core";
import { countingServer, tempDir, waitUntil, type CountingServer } from "../test/helpers.js";
import { createBrowserPlugin, type BrowserPlugin } from "./index.js";
import { groupMembers } from "./launch.js";

/** Issue 21: stopping a run while the browser works never crashes and never leaves Chromium behind. */
let site: CountingServer;
let worksite: { path: string; remove(): Promise<void> };
const held: import("node:http").ServerResponse[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => {
  rejections.push(reason);
};

beforeAll(async () => {
  site = await countingServer({
    "/page": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Page</title><h1>Here</h1>");
    },
    // Answers never: a navigation to it is still under way when the call is stopped.
    "/slow": (_req, res) => {
      held.push(res);
    },
  });
  worksite = await tempDir();
  process.on("unhandledRejection", onRejection);
});

afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  for (const res of held) res.destroy();
  await site?.close();
  await worksite?.remove();
});

afterEach(() => {
  rejections.length = 0;
});

async function gateWith(plugin: BrowserPlugin): Promise<Gate> {
  const permissions = `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n`;
  await writeFile(join(worksite.path, "PERMISSIONS.md"), permissions);
  return createGate({
    root: worksite.path,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root: worksite.path }) },
    plugins: [plugin],
    audit: openAuditLog(join(worksite.path, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "run-stop",
    round: 1,
  });
}

/** Lets any rejection nobody handled surface (Node reports them once the microtask queue drains). */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("stopping the browser", () => {
  it("an abort during browser.open is an aborted outcome, and disposing ends every Chromium process with no unhandled rejection", async () => {
    const plugin = createBrowserPlugin({ timeoutMs: 20_000 });
    const gate = await gateWith(plugin);
    const controller = new AbortController();
    const before = site.requests.length;
    const opening = gate.call({
      tool: "browser.open",
      input: { url: `${site.origin}/slow` },
      signal: controller.signal,
    });
    await waitUntil(() => site.requests.slice(before).includes("GET /slow"), "the navigation to reach the server");
    const pid = plugin.session.launched()?.pid;
    expect(pid).toBeGreaterThan(0);
    controller.abort();
    const outcome = await opening;
    expect(outcome.status).toBe("aborted");
    expect("message" in outcome ? outcome.message : "").not.toMatch(/\n\s+at /);
    await gate.dispose();
    await settle();
    expect(await groupMembers(pid!)).toEqual([]);
    expect(rejections).toEqual([]);
  });

  it("an abort while Chromium is still starting is an aborted outcome and leaves nothing running", async () => {
    const plugin = createBrowserPlugin({ timeoutMs: 20_000 });
    const gate = await gateWith(plugin);
    const controller = new AbortController();
    const opening = gate.call({
      tool: "browser.open",
      input: { url: `${site.origin}/slow` },
      signal: controller.signal,
    });
    // Stopped as soon as the browser process exists, before the tab is ready and the navigation starts.
    const pid = await waitUntil(() => plugin.session.launched()?.pid, "Chromium to start", 20_000, 1);
    controller.abort();
    const outcome = await opening;
    expect(outcome.status).toBe("aborted");
    await gate.dispose();
    await settle();
    expect(await groupMembers(pid)).toEqual([]);
    expect(rejections).toEqual([]);
  });

  it("starts Chromium with the run's environment and in its own process group, so a run's sweep can find it and end it whole", async () => {
    const mark = `run-mark-test:${process.pid}`;
    const was = process.env.WORKSITE_RUN_MARK;
    process.env.WORKSITE_RUN_MARK = mark;
    const plugin = createBrowserPlugin({ timeoutMs: 20_000 });
    const gate = await gateWith(plugin);
    try {
      const opened = await gate.call({ tool: "browser.open", input: { url: `${site.origin}/page` } });
      expect(opened.status).toBe("ok");
      const pid = plugin.session.launched()!.pid!;
      const environ = await readFile(`/proc/${pid}/environ`, "utf8");
      expect(environ.split("\0")).toContain(`WORKSITE_RUN_MARK=${mark}`);
      // Chromium's helpers overwrite their own environ with their process title, so the mark is
      // readable on the browser process only; every helper is in its process group, which is
      // what a sweep (and dispose) ends.
      const members = await groupMembers(pid);
      expect(members).toContain(pid);
      expect(members.length).toBeGreaterThan(2);
      expect(process.pid).not.toBe(pid);
      expect(await groupMembers(process.pid)).not.toContain(pid);
    } finally {
      if (was === undefined) delete process.env.WORKSITE_RUN_MARK;
      else process.env.WORKSITE_RUN_MARK = was;
      await gate.dispose();
    }
  });

  it("disposing ends a Chromium that no longer answers, and all of its processes", async () => {
    const plugin = createBrowserPlugin({ timeoutMs: 20_000 });
    const gate = await gateWith(plugin);
    const opened = await gate.call({ tool: "browser.open", input: { url: `${site.origin}/page` } });
    expect(opened.status).toBe("ok");
    const pid = plugin.session.launched()!.pid!;
    expect((await groupMembers(pid)).length).toBeGreaterThan(1);
    // A hung browser: it cannot answer Browser.close any more.
    process.kill(pid, "SIGSTOP");
    await gate.dispose();
    expect(await groupMembers(pid)).toEqual([]);
    await settle();
    expect(rejections).toEqual([]);
  });

  it("a Chromium killed from outside leaves none of its helpers nor its profile, and the next call starts a fresh one", async () => {
    const plugin = createBrowserPlugin({ timeoutMs: 20_000 });
    const gate = await gateWith(plugin);
    try {
      expect((await gate.call({ tool: "browser.open", input: { url: `${site.origin}/page` } })).status).toBe("ok");
      const { pid, profileDir } = plugin.session.launched()!;
      process.kill(pid!, "SIGKILL");
      await waitUntil(async () => (await groupMembers(pid!)).length === 0, "the killed browser's helpers to be ended");
      // Its throw-away profile (cookies, storage of the pages it saw) does not stay behind in the temp folder.
      await waitUntil(
        async () => !(await stat(profileDir).catch(() => undefined)),
        "the killed browser's profile to be removed",
      );
      const again = await gate.call({ tool: "browser.open", input: { url: `${site.origin}/page` } });
      expect(again.status).toBe("ok");
      expect(plugin.session.launched()!.pid).not.toBe(pid);
    } finally {
      await gate.dispose();
    }
    await settle();
    expect(rejections).toEqual([]);
  });
});
