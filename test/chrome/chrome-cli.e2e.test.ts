import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listApprovals } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChromeTestFolders,
  chromeTestFolders,
  connectState,
  filesHolding,
  html,
  openConnectPage,
  personsChrome,
  refOf,
  serve,
  shareTab,
  waitUntil,
} from "../../plugins/chrome/test/helpers.js";
import {
  alive,
  bin,
  CONNECT_URL,
  childEnv,
  cli,
  exited,
  type Mcp,
  openConnectPagesNamedIn,
  startMcp,
  text,
} from "./worksite-process.js";

/*
 * Issue 14 item 6: the Chrome bridge as a person uses it — `chrome` named in THREAD.md, the built `worksite`
 * binary as a real process (`worksite chrome connect`, `worksite mcp` with the SDK's own client, `worksite run`
 * with the script agent, `worksite approve`, `worksite audit verify`), a real headless Chromium with the
 * extension loaded, and the person's hands (puppeteer) only where a person would click.
 */

const PASSWORD = "tr0ub4dor & 3 horses";
// The extension's APIs, in the extension page the person's hands evaluate in.
declare const chrome: any;

let site: Awaited<ReturnType<typeof serve>>;
let forbidden: Awaited<ReturnType<typeof serve>>;
const forbiddenHits: string[] = [];
let folders: ChromeTestFolders;
let browser: Browser;
let hands: Page;
let root: string;
let permissions: string;
const clicks: string[] = [];

/** What the extension itself says: connected, and which tabs its debugger is attached to. */
const extensionStatus = (): Promise<{ connected: boolean; attached: number[] }> =>
  hands.evaluate(() => chrome.runtime.sendMessage({ type: "status" }));

function ruleLine(rule: string): number {
  return permissions.split("\n").findIndex((l) => l.includes(rule)) + 1;
}

async function writeWorksite(dir: string, steps: string[] = [], chromeSettings = "{ connectSeconds: 25 }") {
  await writeFile(
    join(dir, "THREAD.md"),
    [
      "---",
      "plugins: [chrome]",
      "stage: write",
      "agent: script",
      `chrome: ${chromeSettings}`,
      "---",
      "# Triage the person's web apps",
      "",
      "## Owns",
      "- nothing on disk: the shared tabs only",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "GOAL.md"),
    ["---", "verify: []", ...(steps.length ? ["steps:", ...steps] : []), "---", "# Goal", "Press Go.", ""].join("\n"),
  );
  await writeFile(join(dir, "PERMISSIONS.md"), permissions);
}

beforeAll(async () => {
  forbidden = await serve({
    "/": (req, res) => {
      forbiddenHits.push(req.url ?? "");
      html("<h1>Forbidden land</h1>")(req, res);
    },
  });
  site = await serve({
    "/inbox": (req, res) => {
      const loggedIn = /session=ada-secret-session/.test(req.headers.cookie ?? "");
      html(loggedIn ? "<h1>Inbox of Ada</h1><p>3 unread messages</p>" : "<h1>Please log in</h1>", "Mail")(req, res);
    },
    "/app": html(
      `<h1>App</h1><form action="/done"><label>User <input name="user"></label>
       <label>Password <input name="pw" type="password"></label><button>Log in</button></form>`,
      "App",
    ),
    "/done": html("<h1>Done</h1>", "Done"),
    "/private": html("<h1>Private diary</h1>", "Diary"),
    "/go": html(
      `<h1>Go page</h1><button onclick="fetch('/clicked',{method:'POST'});this.textContent='Gone'">Go</button>`,
      "Go",
    ),
    "/clicked": (req, res) => {
      clicks.push(req.method ?? "");
      res.writeHead(204).end();
    },
  });
  permissions = [
    "# Permissions",
    "",
    "## Allow",
    `- \`chrome.*(${site.origin}/**)\``,
    `- \`chrome.click(${site.origin}/**)\``,
    `- \`chrome.type(${site.origin}/**)\``,
    "",
    "## Forbidden",
    `- \`chrome.*(${forbidden.origin}/**)\``,
    "",
  ].join("\n");
  // WORKSITE_STATE_DIR (pairing token, approvals) is a temp folder every child inherits: the real one stays untouched.
  folders = await chromeTestFolders("worksite-chrome-cli-profile-");
  root = folders.worksite.path;
  await writeWorksite(root);
  const person = await personsChrome(folders.profile.path);
  browser = person.browser;
  hands = await person.extensionPage();
  // Logged in long before any agent came: the session cookie lives in the person's profile.
  await browser.setCookie({
    name: "session",
    value: "ada-secret-session",
    domain: "127.0.0.1",
    path: "/",
    httpOnly: true,
  });
  for (const path of ["/private", "/inbox", "/app"]) await (await browser.newPage()).goto(`${site.origin}${path}`);
  await shareTab(hands, `${site.origin}/inbox`);
  await shareTab(hands, `${site.origin}/app`);

  // Paired once, the way the README says: `worksite chrome connect`, the connect page, Allow.
  const connect = spawn(process.execPath, [bin, "chrome", "connect", "--timeout", "60", "-w", root], {
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  connect.stdout.on("data", (c: Buffer) => void (out += c.toString()));
  const url = await waitUntil(() => out.match(CONNECT_URL)?.[0], "worksite chrome connect to print the connect page");
  const page = await openConnectPage(browser, url);
  expect(await connectState(page)).toMatchObject({ state: "asking" });
  await page.click("#allow");
  expect(await exited(connect)).toBe(0);
  expect(out).toContain("Paired.");
  await page.close();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await forbidden?.close();
  await folders?.remove();
});

describe("the Chrome bridge end to end through the worksite CLI", () => {
  describe("`worksite mcp` over stdio with the SDK's client", () => {
    let mcp: Mcp;
    let pendingId: string;
    let passwordCall: { name: string; arguments: Record<string, unknown> };

    beforeAll(async () => {
      mcp = await startMcp(root, browser);
    });
    afterAll(() => mcp?.close());

    it("lists the chrome tools under their MCP names", async () => {
      const names = (await mcp.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "chrome_tabs",
          "chrome_open",
          "chrome_snapshot",
          "chrome_read",
          "chrome_click",
          "chrome_type",
          "chrome_fill",
          "chrome_select",
          "chrome_press",
          "chrome_wait-for",
          "chrome_screenshot",
          "chrome_close",
        ]),
      );
    });

    it("names the connect page on stderr, connects with no Allow, and lists only the shared tabs", async () => {
      const listed = await mcp.client.callTool({ name: "chrome_tabs", arguments: { action: "list" } });
      expect(listed.isError, text(listed)).toBeFalsy();
      expect(mcp.connectPages).toHaveLength(1);
      expect(text(listed)).toContain(`${site.origin}/inbox`);
      expect(text(listed)).toContain(`${site.origin}/app`);
      expect(text(listed)).not.toContain("/private");
      expect((await extensionStatus()).connected).toBe(true);
    });

    it("reads the logged-in page, which only the person's profile can see", async () => {
      const read = await mcp.client.callTool({ name: "chrome_read", arguments: {} });
      expect(read.isError, text(read)).toBeFalsy();
      expect(text(read)).toContain("Inbox of Ada");
      expect(text(read)).not.toContain("ada-secret-session");
    });

    it("cannot reach the tab outside the group by guessing its id", async () => {
      const privateTabId = await hands.evaluate(
        async (u: string) => (await chrome.tabs.query({})).find((t: { url: string }) => t.url === u)?.id as number,
        `${site.origin}/private`,
      );
      expect(privateTabId).toBeGreaterThan(0);
      for (const id of new Set([privateTabId, ...Array.from({ length: 12 }, (_, i) => i + 1)])) {
        const selected = await mcp.client.callTool({ name: "chrome_tabs", arguments: { action: "select", id } });
        if (selected.isError) continue;
        const read = await mcp.client.callTool({ name: "chrome_read", arguments: {} });
        expect(text(read)).not.toContain("Private diary");
      }
      const closed = await mcp.client.callTool({
        name: "chrome_tabs",
        arguments: { action: "close", id: privateTabId },
      });
      expect(closed.isError).toBe(true);
      expect((await browser.pages()).some((p) => p.url() === `${site.origin}/private`)).toBe(true);
    });

    it("refuses to open the browser's own settings page", async () => {
      for (const call of [
        { name: "chrome_open", arguments: { url: "chrome://settings" } },
        { name: "chrome_open", arguments: { url: "chrome://settings/passwords" } },
        { name: "chrome_tabs", arguments: { action: "new", url: "chrome://settings" } },
      ]) {
        const out = await mcp.client.callTool(call);
        expect(out.isError, `${call.name} ${JSON.stringify(call.arguments)}: ${text(out)}`).toBe(true);
      }
      expect((await browser.pages()).some((p) => p.url().startsWith("chrome://settings"))).toBe(false);
    });

    it("refuses a forbidden origin with the rule's PERMISSIONS.md line, before a request reaches it", async () => {
      const out = await mcp.client.callTool({ name: "chrome_open", arguments: { url: `${forbidden.origin}/` } });
      expect(out.isError).toBe(true);
      expect(text(out)).toContain(`PERMISSIONS.md:${ruleLine(`chrome.*(${forbidden.origin}/**)`)}`);
      expect(forbiddenHits).toEqual([]);
    });

    it("answers typing a password with a pending approval, and the password is nowhere on disk", async () => {
      const opened = await mcp.client.callTool({ name: "chrome_open", arguments: { url: `${site.origin}/app` } });
      expect(opened.isError, text(opened)).toBeFalsy();
      const snap = text(await mcp.client.callTool({ name: "chrome_snapshot", arguments: {} }));
      passwordCall = {
        name: "chrome_type",
        arguments: { ref: refOf(snap, /textbox "Password"/), element: "Password", text: PASSWORD },
      };
      const pending = await mcp.client.callTool(passwordCall);
      expect(pending.isError).toBe(true);
      expect(pending.structuredContent).toMatchObject({ status: "pending-approval" });
      pendingId = (pending.structuredContent as { approvalId: string }).approvalId;
      expect(text(pending)).toContain(`worksite approve ${pendingId}`);
      const [tab] = await browser.pages().then((ps) => ps.filter((p) => p.url() === `${site.origin}/app`));
      expect(await tab!.$eval('input[name="pw"]', (e) => (e as HTMLInputElement).value)).toBe("");
      expect(await filesHolding([root, folders.state.path], PASSWORD)).toEqual([]);
    });

    it("cannot approve its own pending call through any MCP tool", async () => {
      const { tools } = await mcp.client.listTools();
      expect(tools.filter((t) => /approv|deny|grant/i.test(t.name))).toEqual([]);
      const attempts = [
        { name: "shell_run", arguments: { command: `node ${bin} approve ${pendingId}` } },
        { name: "shell_run", arguments: { command: `worksite approve ${pendingId}` } },
        {
          name: "file_write",
          arguments: { path: `.worksite/approvals/${pendingId}.json`, content: '{"status":"approved"}' },
        },
        {
          name: "file_write",
          arguments: { path: join(folders.state.path, "approved.json"), content: `{"${pendingId}":true}` },
        },
      ];
      for (const call of attempts) {
        const out = await mcp.client.callTool(call);
        expect(out.structuredContent, `${call.name}: ${text(out)}`).not.toMatchObject({ status: "ok" });
      }
      // Asking again is not approving: the same call still waits for the person.
      expect(await mcp.client.callTool(passwordCall)).toMatchObject({ isError: true });
      const pending = await listApprovals(root, { status: "pending" });
      expect(pending.map((a) => a.id)).toContain(pendingId);
    });

    it("types the password once the person approves with `worksite approve`, and the audit log verifies", async () => {
      const approved = await cli(root, "approve", pendingId);
      expect(approved.code, approved.err).toBe(0);
      const typed = await mcp.client.callTool(passwordCall);
      expect(typed.isError, text(typed)).toBeFalsy();
      expect(text(typed)).not.toContain(PASSWORD);
      const [tab] = await browser.pages().then((ps) => ps.filter((p) => p.url() === `${site.origin}/app`));
      expect(await tab!.$eval('input[name="pw"]', (e) => (e as HTMLInputElement).value)).toBe(PASSWORD);
      expect(await filesHolding([root, folders.state.path], PASSWORD)).toEqual([]);
      const verified = await cli(root, "audit", "verify");
      expect(verified.code, `${verified.out}${verified.err}`).toBe(0);
      expect(verified.out).toContain("chain intact");
    });

    it("detaches Chrome's debugger and closes its relay when the client goes away", async () => {
      expect((await extensionStatus()).attached.length).toBeGreaterThan(0);
      const pid = mcp.pid();
      await mcp.close();
      await waitUntil(async () => {
        const s = await extensionStatus();
        return !s.connected && s.attached.length === 0;
      }, "the extension to be let go");
      await waitUntil(() => !alive(pid), "worksite mcp to end");
    });
  });

  it("SIGTERM to `worksite mcp` lets go of Chrome: no debugger attached, the relay gone", async () => {
    // The person opens the connect page the process names while the paired extension comes back to the kept address
    // by itself: whichever is first, the extension keeps one link (extension/background.js), and the call goes through.
    const mcp = await startMcp(root, browser);
    try {
      const read = await mcp.client.callTool({ name: "chrome_read", arguments: {} });
      expect(read.isError, text(read)).toBeFalsy();
      expect(await extensionStatus()).toMatchObject({ connected: true });
      expect((await extensionStatus()).attached.length).toBeGreaterThan(0);
      process.kill(mcp.pid()!, "SIGTERM");
      await waitUntil(() => !alive(mcp.pid()), "worksite mcp to stop on SIGTERM");
      await waitUntil(async () => {
        const s = await extensionStatus();
        return !s.connected && s.attached.length === 0;
      }, "the extension to be let go");
      expect(mcp.stderr()).not.toMatch(/\n\s+at /);
      const status = await cli(root, "chrome", "status");
      expect(status.out).toContain("chrome: paired, no run is using Chrome now");
    } finally {
      await mcp.close().catch(() => {});
    }
  });

  it("a second `worksite mcp` after the first ended is connected with nobody opening any page", async () => {
    // Its relay listens at the worksite's kept address, which the paired extension keeps dialling: a scheduled wake
    // with the person away connects the same way.
    const mcp = await startMcp(root, browser, { personAway: true });
    try {
      const listed = await mcp.client.callTool({ name: "chrome_tabs", arguments: { action: "list" } });
      expect(listed.isError, text(listed)).toBeFalsy();
      expect(text(listed)).toContain(`${site.origin}/inbox`);
      expect(mcp.stderr()).toContain("connects by itself");
      const status = await cli(root, "chrome", "status");
      expect(status.out).toContain("chrome: connected");
    } finally {
      await mcp.close();
    }
    await waitUntil(async () => !(await extensionStatus()).connected, "the extension to be let go");
  });

  it("a second `worksite mcp` while one runs names the process holding the relay's address", async () => {
    const first = await startMcp(root, browser, { personAway: true });
    let second: Mcp | undefined;
    try {
      const listed = await first.client.callTool({ name: "chrome_tabs", arguments: { action: "list" } });
      expect(listed.isError, text(listed)).toBeFalsy();
      // The second need not wait long: nothing comes to its new address while the person is away.
      await writeWorksite(root, [], "{ connectSeconds: 3 }");
      second = await startMcp(root, browser, { personAway: true });
      const out = await second.client.callTool({ name: "chrome_tabs", arguments: { action: "list" } });
      expect(out.isError).toBe(true);
      const holder = `is in use by another process of this worksite (pid ${first.pid()})`;
      expect(text(out)).toContain(holder);
      expect(second.stderr()).toContain(holder);
      expect(second.stderr()).toMatch(CONNECT_URL);
      // The first goes on undisturbed.
      const again = await first.client.callTool({ name: "chrome_read", arguments: {} });
      expect(again.isError, text(again)).toBeFalsy();
    } finally {
      await second?.close();
      await first.close();
    }
    await waitUntil(async () => !(await extensionStatus()).connected, "the extension to be let go");
  });

  it("`worksite run` with the script agent: tabs, snapshot, click, with the report, evidence and audit", async () => {
    // The person shares only the Go page for this job.
    const goTab = await browser.newPage();
    await goTab.goto(`${site.origin}/go`);
    await hands.evaluate(async () => {
      for (const t of await chrome.tabs.query({})) if (t.groupId !== -1) await chrome.tabs.ungroup(t.id);
    });
    await shareTab(hands, `${site.origin}/go`);
    await writeWorksite(root, [
      "  - tool: chrome.tabs",
      "    input: { action: list }",
      "  - tool: chrome.snapshot",
      "    input: {}",
      // A script cannot read refs from the snapshot: on the Go page the heading is e1 and the button e2.
      "  - tool: chrome.click",
      "    input: { ref: e2, element: Go button }",
    ]);
    const run = spawn(process.execPath, [bin, "run", "--rounds", "1", "-w", root], {
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    run.stdout.on("data", (c: Buffer) => void (out += c.toString()));
    const pages = openConnectPagesNamedIn(run.stderr, browser);
    let err = "";
    run.stderr.on("data", (c: Buffer) => void (err += c.toString()));
    await exited(run);
    expect(pages, `stdout:\n${out}\nstderr:\n${err}`).toHaveLength(1);
    await waitUntil(() => clicks.length > 0, "the run's click to reach the page");
    expect(await goTab.$eval("button", (b) => b.textContent)).toBe("Gone");

    const audit = (await readFile(join(root, ".worksite", "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, any>);
    const ofRun = audit.filter((e) => e.round === 1 && typeof e.tool === "string" && e.tool.startsWith("chrome."));
    for (const tool of ["chrome.tabs", "chrome.snapshot", "chrome.click"])
      expect(ofRun, tool).toContainEqual(expect.objectContaining({ tool, tier: "allow", outcome: "ok" }));
    const click = ofRun.find((e) => e.tool === "chrome.click" && e.outcome === "ok");
    const shot = (click!.artifacts as string[]).find((a) => /after-click.*\.(png|jpe?g)$/.test(a));
    expect(shot).toMatch(/^artifacts\/round-1\//);
    expect(existsSync(join(root, shot!))).toBe(true);
    const index = await readFile(join(root, "artifacts", "index.json"), "utf8");
    expect(index).toContain(shot);

    const progress = await readFile(join(root, "PROGRESS.md"), "utf8");
    for (const tool of ["chrome.tabs", "chrome.snapshot", "chrome.click"]) expect(progress).toContain(tool);
    expect((await cli(root, "audit", "verify")).code).toBe(0);
  });

  it("`worksite mcp` says the extension is not connected and what to do next, and that address then connects", async () => {
    await writeWorksite(root, [], "{ connectSeconds: 3 }");
    // The person pressed Stop in the extension's popup, which ends its dialling, and is away now.
    await hands.evaluate(() => chrome.runtime.sendMessage({ type: "stop" }));
    const mcp = await startMcp(root, browser, { personAway: true });
    try {
      const out = await mcp.client.callTool({ name: "chrome_read", arguments: {} });
      expect(out.isError).toBe(true);
      expect(text(out)).toMatch(/Chrome is not connected: the worksite extension did not connect within 3 s/);
      expect(text(out)).toContain("Stop was pressed in its popup");
      expect(text(out)).toContain("Next step: a person must open the connect page this worksite's process printed");
      expect(text(out)).toContain("worksite chrome connect --worksite DIR");
      expect(text(out)).not.toMatch(/\n\s+at /);
      expect(mcp.stderr()).not.toMatch(/\n\s+at /);
      // The agent is not told where to pair: the page's address (with the relay's pairing path) is on the
      // process's own stderr, which the person reads, and in `worksite chrome status`.
      const url = mcp.stderr().match(CONNECT_URL)![0];
      const pairingPath = new URL(new URL(url).searchParams.get("relay")!).pathname.split("/").pop()!;
      expect(pairingPath.length).toBeGreaterThan(16);
      expect(text(out)).not.toContain(pairingPath);
      expect(text(out)).not.toMatch(CONNECT_URL);
      const status = await cli(root, "chrome", "status");
      expect(status.out).toContain("chrome: waiting for the extension");
      expect(status.out).toContain(url);
      // The person comes back and does what the message says: the same relay is still there, and the call goes through.
      await openConnectPage(browser, url);
      const again = await mcp.client.callTool({ name: "chrome_read", arguments: {} });
      expect(again.isError, text(again)).toBeFalsy();
      expect(text(again)).toContain("Go page");
    } finally {
      await mcp.close();
    }
  });
});
