import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditLog, createGate, type Gate, type Logger, openAuditLog, parsePermissions } from "@worksite/core";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { type ChromePluginOptions, createChromePlugin, EXTENSION_ID, extensionDir } from "../src/index.js";

// The extension APIs, as the service worker sees them (the code runs there, not here).
declare const chrome: any;

export async function tempDir(prefix = "worksite-chrome-test-") {
  const path = await mkdtemp(join(tmpdir(), prefix));
  // A Chromium profile may still be written by its helper processes just after the browser exits.
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}

export type ChromeTestFolders = Awaited<ReturnType<typeof chromeTestFolders>>;

/**
 * The folders a Chrome test needs — the person's Chrome profile, the worksite, and the person's state folder
 * (made WORKSITE_STATE_DIR, where pairing tokens and approvals go) — and one `remove` that puts it all back.
 */
export async function chromeTestFolders(profilePrefix = "worksite-chrome-profile-") {
  const previousState = process.env.WORKSITE_STATE_DIR;
  const profile = await tempDir(profilePrefix);
  const worksite = await tempDir();
  const state = await tempDir("worksite-chrome-state-");
  process.env.WORKSITE_STATE_DIR = state.path;
  return {
    profile,
    worksite,
    state,
    async remove() {
      await Promise.all([profile.remove(), worksite.remove(), state.remove()]);
      if (previousState === undefined) delete process.env.WORKSITE_STATE_DIR;
      else process.env.WORKSITE_STATE_DIR = previousState;
    },
  };
}

/** A real HTTP server; `routes` maps a path to a handler. */
export async function serve(
  routes: Record<string, (req: IncomingMessage, res: ServerResponse, origin: string) => void>,
) {
  let origin = "";
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", origin).pathname];
    if (!route) return void res.writeHead(404).end("not found");
    route(req, res, origin);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const html =
  (body: string, title = "Test page") =>
  (_req: IncomingMessage, res: ServerResponse) =>
    void res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);

/**
 * The person's Chrome: real Debian Chromium, headless, with the bridge extension loaded from
 * plugins/chrome/extension and its own profile. puppeteer here is the person's hands (opening the
 * connect page, clicking Allow, dragging a tab into the group); the plugin never uses it.
 */
export async function personsChrome(profile: string): Promise<{ browser: Browser; extensionPage(): Promise<Page> }> {
  const dir = extensionDir();
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    ignoreDefaultArgs: ["--disable-extensions"],
    // The hands stay off the extension's worker: attached to it, puppeteer would hold a restarted worker paused for its debugger.
    targetFilter: (target) => target.type() !== "service_worker",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
    ],
  });
  // An extension page has the same tabs, tabGroups and storage APIs as its worker: what the person's clicks would do.
  const extensionPage = async () => {
    const page = await browser.newPage();
    await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    return page;
  };
  return { browser, extensionPage };
}

/** The person opens the connect page; returns it once it has settled on asking, connected or refused. */
export async function openConnectPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== undefined && document.body.dataset.state !== "", {
    timeout: 20_000,
  });
  return page;
}

export async function connectState(page: Page): Promise<{ state: string; text: string }> {
  await page.waitForFunction(() => ["connected", "refused", "asking"].includes(document.body.dataset.state ?? ""), {
    timeout: 20_000,
  });
  return page.evaluate(() => ({
    state: document.body.dataset.state ?? "",
    text: document.getElementById("status")?.textContent ?? "",
  }));
}

/** The person drags a tab into the `worksite` group (done through the extension's own tabs API). */
export async function shareTab(hands: Page, url: string): Promise<number> {
  return hands.evaluate(async (u: string) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((t) => t.url === u);
    if (!tab?.id) throw new Error(`no tab at ${u}`);
    const [group] = await chrome.tabGroups.query({ title: "worksite" });
    if (group) await chrome.tabs.group({ tabIds: [tab.id], groupId: group.id });
    else {
      const id = await chrome.tabs.group({ tabIds: [tab.id] });
      await chrome.tabGroups.update(id, { title: "worksite" });
    }
    return tab.id;
  }, url);
}

/** The real gate over the chrome plugin, PERMISSIONS.md on disk, the audit log under .worksite/. */
export async function chromeGate(
  root: string,
  permissions: string,
  options: ChromePluginOptions,
  log?: Logger,
): Promise<{ gate: Gate; audit: AuditLog; plugin: ReturnType<typeof createChromePlugin> }> {
  await writeFile(join(root, "PERMISSIONS.md"), permissions);
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const plugin = createChromePlugin({ connectTimeoutMs: 20_000, timeoutMs: 10_000, ...options });
  const gate = createGate({
    root,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
    plugins: [plugin],
    audit,
    actor: "agent",
    run: "run-chrome",
    round: 1,
    ...(log ? { log } : {}),
  });
  return { gate, audit, plugin };
}

export function refOf(snapshot: string, pattern: RegExp): string {
  const line = snapshot.split("\n").find((l) => pattern.test(l));
  const ref = line?.match(/\[ref=(e\d+)\]/)?.[1];
  if (!ref) throw new Error(`no ref for ${pattern} in:\n${snapshot}`);
  return ref;
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The person's side of the connect page: Allow when asked, nothing when the extension already knows the worksite. */
export function allowOnConnect(browser: Browser) {
  return async (url: string) => {
    const page = await openConnectPage(browser, url);
    if ((await connectState(page)).state === "asking") await page.click("#allow");
  };
}

export { filesHolding } from "@worksite/test-support";

/** A logger that keeps every warning, as `worksite run` and `worksite mcp` show them to the person. */
export function warningsLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = {
    warnings,
    debug() {},
    info() {},
    warn: (message: string) => void warnings.push(message),
    error: (message: string) => void warnings.push(message),
    child: () => log,
  };
  return log;
}
