import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callTool, html, makeContext, serve, tempDir, type TestServer, waitUntil } from "../test/helpers.js";
import { discardEarly, startEarly, takeEarlyBrowser } from "./early-start.js";
import { createBrowserPlugin } from "./index.js";
import { connectEarlyBrowser, launchBrowser } from "./launch.js";
import { groupMembers } from "./process-group.js";

// The browser `worksite mcp` starts before the runtime loads (early-start.ts) must be the browser a launch
// gives, reach nothing before a session decides for it, and never outlive the process that started it.

const cmdline = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter(Boolean);

/** Chromium main processes this test process started (its children with one of our profiles). */
async function ourChromiums(): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || Number(fields[1]) !== process.pid) continue;
    if ((await cmdline(Number(name)).catch(() => [])).some((a) => a.startsWith("--user-data-dir=")))
      found.push(Number(name));
  }
  return found;
}

/**
 * The early Chromium, once /proc shows it as one: right after the spawn its process may still be the fork of
 * this one, before exec gives it Chromium's command line (Node 24 got there first in a clean-clone run).
 */
const earlyChromium = () => waitUntil(async () => (await ourChromiums())[0], "the early Chromium to be running");

/** One plain request through a proxy (absolute form), or a CONNECT: the status the proxy answers. */
function throughProxy(proxy: string, target: string, method: "GET" | "CONNECT"): Promise<number> {
  const [host, port] = proxy.split(":");
  return new Promise((resolve, reject) => {
    const req = request({
      host,
      port: Number(port),
      method,
      path: target,
      headers: { host: new URL(`http://${target.replace(/^http:\/\//, "")}`).host },
    });
    req.on("connect", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

let site: TestServer;
let hits = 0;
let worksite: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  site = await serve({
    "/": (req, res) => {
      hits++;
      html("<h1>Early page</h1>", "Early")(req, res, "");
    },
  });
  worksite = await tempDir();
});
afterEach(() => discardEarly());
afterAll(async () => {
  await site?.close();
  await worksite?.remove();
});

describe("a browser started before puppeteer loads", () => {
  it("runs with the command line a launched browser gets; only its profile folder and proxy port differ", async () => {
    const launched = await launchBrowser({ proxy: "127.0.0.1:9" });
    await startEarly();
    const early = await takeEarlyBrowser({});
    try {
      expect(early).toBeDefined();
      // Ready: the Debian wrapper script has exec'd the browser, as it had for the launched one.
      await early!.endpoint;
      const same = (args: string[]) =>
        args.map((a) =>
          a
            .replace(/^--user-data-dir=.*/, "--user-data-dir=PROFILE")
            .replace(/^--proxy-server=.*/, "--proxy-server=PROXY"),
        );
      expect(same(await cmdline(early!.pid))).toEqual(same(await cmdline(launched.pid!)));
    } finally {
      await launched.close();
      await early?.discard();
    }
  });

  it("reaches nothing through its proxy until a session binds its decisions to it", async () => {
    await startEarly();
    const early = await takeEarlyBrowser({});
    try {
      const before = hits;
      expect(await throughProxy(early!.proxy.proxyArg, `${site.origin}/`, "GET")).toBe(403);
      expect(await throughProxy(early!.proxy.proxyArg, site.origin.replace("http://", ""), "CONNECT")).toBe(403);
      expect(hits).toBe(before);
      early!.bind(
        async () => true,
        async () => true,
      );
      expect(await throughProxy(early!.proxy.proxyArg, `${site.origin}/`, "GET")).toBe(200);
      expect(hits).toBe(before + 1);
    } finally {
      await early?.discard();
    }
  });

  it("is taken by the first session with the default options; a session with other flags launches its own", async () => {
    await startEarly();
    const earlyPid = await earlyChromium();
    const other = createBrowserPlugin({ args: ["--lang=fr"] });
    const plain = createBrowserPlugin();
    const { ctx } = makeContext(worksite.path, `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n`);
    try {
      await callTool(other.tools.open, { url: `${site.origin}/` }, ctx);
      expect(other.session.launched()?.pid).not.toBe(earlyPid);
      const opened = await callTool(plain.tools.open, { url: `${site.origin}/` }, ctx);
      expect(opened.content).toContain(`Opened ${site.origin}/`);
      expect(plain.session.launched()?.pid).toBe(earlyPid);
      const profile = plain.session.launched()!.profileDir;
      await plain.session.close();
      expect(await groupMembers(earlyPid!)).toEqual([]);
      expect(existsSync(profile)).toBe(false);
    } finally {
      await other.session.close();
      await plain.session.close();
    }
  });

  it("is connected to as soon as it is ready, and the session that takes it keeps that connection", async () => {
    await startEarly();
    const early = await takeEarlyBrowser({});
    const made = await early!.connection;
    expect(made?.connected).toBe(true);
    const launched = await connectEarlyBrowser(early!, undefined);
    try {
      expect(launched.browser).toBe(made);
    } finally {
      await launched.close();
    }
    expect(made?.connected).toBe(false);
  });

  it("gives a session that wants another viewport pages of that size, from the same early browser", async () => {
    await startEarly();
    const earlyPid = await earlyChromium();
    const small = createBrowserPlugin({ viewport: { width: 640, height: 480 } });
    const { ctx } = makeContext(worksite.path, `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n`);
    try {
      await callTool(small.tools.open, { url: `${site.origin}/` }, ctx);
      expect(small.session.launched()?.pid).toBe(earlyPid);
      const [page] = await small.session.launched()!.browser.pages();
      expect(await page!.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([640, 480]);
    } finally {
      await small.session.close();
    }
  });

  it("one nobody takes is ended by discard with its connection, its processes and profile gone", async () => {
    await startEarly();
    const early = await takeEarlyBrowser({});
    const made = await early!.connection;
    await early!.discard();
    expect(made?.connected).toBe(false);
    expect(await groupMembers(early!.pid)).toEqual([]);
  });

  it("one nobody takes is ended by discard, its processes and profile gone", async () => {
    await startEarly();
    const pid = await earlyChromium();
    const profile = (await cmdline(pid)).find((a) => a.startsWith("--user-data-dir="))!.split("=")[1]!;
    await discardEarly();
    expect(await groupMembers(pid)).toEqual([]);
    expect(existsSync(profile)).toBe(false);
    expect(await takeEarlyBrowser({})).toBeUndefined();
  });

  it("without a Chromium to start, starts nothing and leaves the first call to say what to install", async () => {
    const saved = process.env.CHROME_PATH;
    process.env.CHROME_PATH = "/nonexistent/chromium";
    try {
      await startEarly();
      expect(await ourChromiums()).toEqual([]);
      expect(await takeEarlyBrowser({})).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.CHROME_PATH;
      else process.env.CHROME_PATH = saved;
    }
  });
});
