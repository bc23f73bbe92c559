import { randomBytes } from "node:crypto";
import type { ToolContext } from "@worksite/core";
import { WorksiteError } from "@worksite/core";
import type { Page } from "puppeteer-core";
import { watchDownloads, type Downloads } from "./downloads.js";
import { createEventLog, type EventLog } from "./events.js";
import { launchBrowser, type LaunchedBrowser, type LaunchOptions } from "./launch.js";
import { attachTab, type Tab } from "./tab.js";
import { isBlank, isWebUrl, navigationPermitted } from "./url.js";

export interface SessionOptions extends LaunchOptions {
  /** Navigation and wait timeout, ms. */
  timeoutMs?: number;
}

export interface Verdict { permitted: boolean; reason: string }

export interface BrowserSession {
  readonly options: SessionOptions;
  /** Random global name the in-page ref store hides under. */
  readonly store: string;
  readonly events: EventLog;
  /** Binds the calling tool's context and returns the current tab, launching the browser on first use. */
  use(ctx: ToolContext, opts?: { allowDialog?: boolean }): Promise<Tab>;
  /** The current tab if the browser is running; never launches. */
  peek(): Tab | undefined;
  tabs(): Tab[];
  newTab(): Promise<Tab>;
  select(id: number): Tab;
  closeTab(id: number): Promise<void>;
  downloads(): Downloads | undefined;
  /** Asks the policy (audited) whether the browser may go to `url` on its own. */
  allowNavigation(url: string): Promise<Verdict>;
  isOpen(): boolean;
  launched(): LaunchedBrowser | undefined;
  /** Closes the browser and deletes its profile; the next `use` starts a fresh one. */
  close(): Promise<void>;
}

export function createSession(options: SessionOptions = {}): BrowserSession {
  const store = `__ws${randomBytes(8).toString("hex")}`;
  const events = createEventLog();
  let ctx: ToolContext | undefined;
  let launched: LaunchedBrowser | undefined;
  let starting: Promise<void> | undefined;
  let downloads: Downloads | undefined;
  let tabs: Tab[] = [];
  let current: Tab | undefined;
  let nextTabId = 1;

  async function allowNavigation(url: string): Promise<Verdict> {
    if (isBlank(url)) return { permitted: true, reason: "blank page" };
    if (!ctx) return { permitted: false, reason: "no tool call is bound to the browser" };
    const decision = await ctx.check("browser.open", url);
    if (!navigationPermitted(decision.tier)) return { permitted: false, reason: `${decision.tier}: ${decision.reason}` };
    // file:, chrome:, data:, javascript: … only when a rule names them; the read-only default is not enough.
    if (!isWebUrl(url) && !decision.rule) return { permitted: false, reason: "not a web address, and no rule allows it" };
    return { permitted: true, reason: decision.reason };
  }

  async function adopt(page: Page): Promise<Tab> {
    const tab = await attachTab(page, nextTabId++, allowNavigation, events);
    tabs.push(tab);
    page.on("popup", (popup) => { if (popup) void adoptPopup(popup); });
    page.once("close", () => {
      tabs = tabs.filter((t) => t !== tab);
      if (current === tab) current = tabs.at(-1);
    });
    return tab;
  }

  /**
   * A popup's first navigation can start before our guard is on, so its URL is
   * checked again once adopted; a forbidden one is closed before any tool can
   * read it. Later navigations go through the guard like any tab's.
   */
  async function adoptPopup(page: Page) {
    try {
      const tab = await adopt(page);
      const url = page.url();
      if (!isBlank(url)) {
        const verdict = await allowNavigation(url);
        if (!verdict.permitted) {
          events.push({ kind: "blocked", tab: tab.id, url, via: "popup", reason: verdict.reason });
          await page.close().catch(() => {});
          return;
        }
      }
      events.push({ kind: "tab-opened", tab: tab.id, url });
    } catch {
      await page.close().catch(() => {});
    }
  }

  async function start() {
    const browser = await launchBrowser(options);
    try {
      launched = browser;
      downloads = await watchDownloads(browser.browser, () => ctx, events);
      const [first] = await browser.browser.pages();
      current = await adopt(first ?? (await browser.browser.newPage()));
      if (options.timeoutMs) current.page.setDefaultTimeout(options.timeoutMs);
      browser.browser.on("disconnected", () => { if (launched === browser) reset(); });
    } catch (error) {
      await browser.close();
      reset();
      throw error;
    }
  }

  function reset() {
    launched = undefined;
    downloads = undefined;
    tabs = [];
    current = undefined;
  }

  const session: BrowserSession = {
    options,
    store,
    events,
    async use(callCtx, opts) {
      ctx = callCtx;
      if (!launched) {
        starting ??= start().finally(() => { starting = undefined; });
        await starting;
      }
      if (!current) current = await session.newTab();
      // A navigation the last action started: let it land before this call looks at the page.
      for (const until = Date.now() + (options.timeoutMs ?? 15_000); current.loading && !current.dialog && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 25));
      }
      if (current.dialog && !opts?.allowDialog) {
        throw new WorksiteError("tool-failed",
          `A ${current.dialog.type} dialog is open on tab ${current.id}; answer it with browser.dialog (accept or dismiss) first.`);
      }
      return current;
    },
    peek: () => current,
    tabs: () => [...tabs],
    async newTab() {
      if (!launched) throw new WorksiteError("tool-failed", "The browser is not running.");
      const tab = await adopt(await launched.browser.newPage());
      if (options.timeoutMs) tab.page.setDefaultTimeout(options.timeoutMs);
      current = tab;
      return tab;
    },
    select(id) {
      const tab = tabs.find((t) => t.id === id);
      if (!tab) throw new WorksiteError("not-found", `No tab ${id}; browser.tabs lists the open ones.`);
      current = tab;
      return tab;
    },
    async closeTab(id) {
      const tab = tabs.find((t) => t.id === id);
      if (!tab) throw new WorksiteError("not-found", `No tab ${id}; browser.tabs lists the open ones.`);
      await tab.page.close();
      tabs = tabs.filter((t) => t !== tab);
      if (current === tab) current = tabs.at(-1);
    },
    downloads: () => downloads,
    allowNavigation,
    isOpen: () => launched !== undefined,
    launched: () => launched,
    async close() {
      if (starting) await starting.catch(() => {});
      const was = launched;
      const dl = downloads;
      reset();
      await dl?.dispose();
      await was?.close();
    },
  };
  return session;
}
