import { randomBytes } from "node:crypto";
import type { Decision, ToolContext } from "@worksite/core";
import { WorksiteError } from "@worksite/core";
import { isBlank, navigationVerdict, originOf, permittedBy, type Verdict } from "@worksite/page";
import type { Page } from "puppeteer-core";
import { watchDownloads, type Downloads } from "./downloads.js";
import { createEventLog, type EventLog } from "./events.js";
import { takeEarlyBrowser } from "./early-start.js";
import { connectEarlyBrowser, launchBrowser, type LaunchedBrowser, type LaunchOptions } from "./launch.js";
import { guardRequests, type PausedRequest, type RequestGuard, type RequestVerdict } from "./request-guard.js";
import { createRequestSummary } from "./request-summary.js";
import { attachTab, type Tab } from "./tab.js";
import { startProxyGate, type ProxyGate } from "./proxy-gate.js";
import { frameIdOf, waitFor } from "./settle.js";

export interface SessionOptions extends LaunchOptions {
  /** Navigation and wait timeout, ms. */
  timeoutMs?: number;
}

export type { Verdict };

export interface BrowserSession {
  readonly options: SessionOptions;
  /** Random global name the in-page ref store hides under. */
  readonly store: string;
  readonly events: EventLog;
  /** Binds the calling tool's context and returns the current tab, launching the browser on first use. */
  use(ctx: ToolContext, opts?: { allowDialog?: boolean }): Promise<Tab>;
  /** Launches the browser now, with no call bound (its pages may request nothing until one is), if it is not running. */
  prelaunch(): Promise<void>;
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
  /**
   * Audits what the page's own requests ran into since the last flush (one
   * entry listing the blocked origins with counts) and returns lines for the agent.
   */
  flushRequests(ctx: ToolContext): Promise<string[]>;
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
  let guard: RequestGuard | undefined;
  let tunnel: ProxyGate | undefined;
  const summary = createRequestSummary();
  /** Network ids of refused requests (so act() does not mistake a refusal for a download). */
  const blocked = new Set<string>();
  /** Popup tabs that have not shown anything yet: a refused first navigation closes them. */
  const freshPopups = new WeakSet<Tab>();
  /** Main frames of new top-level targets whose first navigation was refused before we adopted them. */
  const refusedTopFrames = new Set<string>();
  /** host:port of https origins the guard let a request through to: the TLS tunnel for it follows. */
  const tunnelsExpected = new Set<string>();
  /** Decisions within one call, by URL: the policy is asked once per address, not per image. */
  let decisions = new Map<string, Decision>();

  async function allowNavigation(url: string): Promise<Verdict> {
    if (isBlank(url) || !ctx) return navigationVerdict(url, undefined);
    return navigationVerdict(url, await ctx.check("browser.open", url));
  }

  function ownerOf(frameId: string | undefined): { tab: Tab; main: boolean } | undefined {
    if (!frameId) return undefined;
    for (const tab of tabs) {
      if (frameIdOf(tab.page.mainFrame()) === frameId) return { tab, main: true };
      if (tab.page.frames().some((f) => frameIdOf(f) === frameId)) return { tab, main: false };
    }
    return undefined;
  }

  function expectTunnel(url: string) {
    try {
      const u = new URL(url);
      if (u.protocol === "https:") tunnelsExpected.add(`${u.hostname.replace(/^\[|\]$/g, "")}:${u.port || "443"}`);
    } catch {
      /* not a URL: nothing to expect */
    }
  }

  /** A document (page, frame, popup, redirect hop): decided and audited one by one, as before. */
  async function decideDocument(request: PausedRequest): Promise<RequestVerdict> {
    const owner = ownerOf(request.frameId);
    const tab = owner?.tab;
    const main = owner?.main ?? true;
    if (tab && main && !request.redirect && tab.approved !== undefined && tab.approved === request.url) {
      tab.approved = undefined;
      expectTunnel(request.url);
      return { permitted: true };
    }
    const verdict = await allowNavigation(request.url);
    if (verdict.permitted) {
      expectTunnel(request.url);
      return { permitted: true };
    }
    if (request.networkId) blocked.add(request.networkId);
    const popup = !owner || (tab !== undefined && freshPopups.has(tab));
    const via = request.redirect ? "redirect" : popup ? "popup" : main ? "page" : "frame";
    events.push({ kind: "blocked", ...(tab ? { tab: tab.id } : {}), url: request.url, via, reason: verdict.reason });
    // A refused popup is closed, not left empty in front of the agent's tab (where it would also hold input).
    // A top-level target's main frame has the target's id.
    if (!owner && request.frameId) {
      refusedTopFrames.add(request.frameId);
      void guard?.closeTarget(request.frameId);
    }
    if (tab && popup) void tab.page.close().catch(() => {});
    return { permitted: false, reason: verdict.reason };
  }

  /** What the policy says about a request the page makes on its own; no audit entry of its own (see flushRequests). */
  async function quietDecision(url: string): Promise<Decision> {
    const bound = ctx;
    if (!bound) return { tier: "forbidden", reason: "no tool call is bound to the browser" };
    // Without a quiet decide (a context with no gate behind it), ask once per origin in this call, audited.
    const key = bound.decide ? url : originOf(url);
    const known = decisions.get(key);
    if (known) return known;
    const decision = bound.decide ? bound.decide("browser.open", url) : await bound.check("browser.open", key);
    decisions.set(key, decision);
    return decision;
  }

  async function decideRequest(request: PausedRequest): Promise<RequestVerdict> {
    if (request.type === "Document") return decideDocument(request);
    const decision = await quietDecision(request.url);
    const origin = originOf(request.url);
    if (permittedBy(request.url, decision)) {
      summary.allowed(origin, request.type, request.url);
      expectTunnel(request.url);
      return { permitted: true };
    }
    if (request.networkId) blocked.add(request.networkId);
    const reason = `${decision.tier}: ${decision.reason}`;
    summary.blocked(origin, request.type, request.url, reason);
    return { permitted: false, reason };
  }

  /**
   * A CONNECT from Chromium: a WebSocket (ws: or wss:, which the proxy cannot
   * tell apart), or the TLS tunnel of an https request the guard already let
   * through. Sockets are decided by origin: either reading permitted is enough,
   * since a forbidden rule covers both (restrictive rules match http and https alike).
   */
  async function permitTunnel(host: string, port: number): Promise<boolean> {
    if (tunnelsExpected.has(`${host}:${port}`)) return true;
    const shown = host.includes(":") ? `[${host}]` : host;
    const readings = [`https://${shown}:${port}/`, `http://${shown}:${port}/`];
    let refusal = "";
    for (const url of readings) {
      const decision = await quietDecision(url);
      if (permittedBy(url, decision)) return true;
      refusal ||= `${decision.tier}: ${decision.reason}`;
    }
    // No page request preceded it: a WebSocket, a preconnect, or the browser's own traffic.
    summary.blocked(`${shown}:${port}`, "Connection", `${shown}:${port}`, refusal);
    return false;
  }

  async function adopt(page: Page): Promise<Tab> {
    const tab = attachTab(page, nextTabId++, blocked, events);
    tabs.push(tab);
    page.on("popup", (popup) => {
      if (popup) void adoptPopup(popup);
    });
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
      const refused = frameIdOf(page.mainFrame());
      if (refused && refusedTopFrames.delete(refused)) {
        await page.close().catch(() => {});
        return;
      }
      const tab = await adopt(page);
      const url = page.url();
      if (isBlank(url)) freshPopups.add(tab);
      page.once("load", () => freshPopups.delete(tab));
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

  const permitUrl = async (url: string) => permittedBy(url, await quietDecision(url));

  /** A browser started before this process loaded puppeteer (`worksite mcp`), with our decisions bound to its proxy. */
  async function adoptEarly(): Promise<{ gate: ProxyGate; browser: LaunchedBrowser } | undefined> {
    const early = await takeEarlyBrowser(options);
    if (!early) return undefined;
    early.bind(permitTunnel, permitUrl);
    try {
      return { gate: early.proxy, browser: await connectEarlyBrowser(early, options.viewport) };
    } catch {
      // It is ended; a browser launched the usual way below reports what is wrong, if anything is.
      return undefined;
    }
  }

  async function start() {
    const adopted = await adoptEarly();
    // The proxy gate and the guard are up before any page can make a request.
    const gate = adopted?.gate ?? (await startProxyGate(permitTunnel, permitUrl));
    let browser: LaunchedBrowser;
    try {
      browser = adopted?.browser ?? (await launchBrowser({ ...options, proxy: gate.proxyArg }));
    } catch (error) {
      await gate.close();
      throw error;
    }
    tunnel = gate;
    try {
      launched = browser;
      guard = await guardRequests(browser.browser, decideRequest);
      downloads = await watchDownloads(browser.browser, () => ctx, events);
      const [first] = await browser.browser.pages();
      current = await adopt(first ?? (await browser.browser.newPage()));
      if (options.timeoutMs) current.page.setDefaultTimeout(options.timeoutMs);
      // A browser that crashed or was killed: its proxy closes, what is left of its process group is ended, its profile removed.
      browser.browser.on("disconnected", () => {
        if (launched !== browser) return;
        reset();
        void gate.close().catch(() => {});
        void browser.close().catch(() => {});
      });
    } catch (error) {
      await guard?.dispose();
      await browser.close();
      await gate.close();
      reset();
      throw error;
    }
  }

  function reset() {
    launched = undefined;
    guard = undefined;
    tunnel = undefined;
    downloads = undefined;
    tabs = [];
    current = undefined;
  }

  const session: BrowserSession = {
    options,
    store,
    events,
    async use(callCtx, opts) {
      if (ctx !== callCtx) decisions = new Map();
      ctx = callCtx;
      if (!launched) await session.prelaunch();
      if (!current) current = await session.newTab();
      // A navigation the last action started: let it land before this call looks at the page.
      const tab = current;
      await waitFor(
        tab.changed,
        () => !tab.loading || tab.dialog !== undefined,
        Date.now() + (options.timeoutMs ?? 15_000),
        callCtx.signal,
      );
      if (current.dialog && !opts?.allowDialog) {
        throw new WorksiteError(
          "tool-failed",
          `A ${current.dialog.type} dialog is open on tab ${current.id}; answer it with browser.dialog (accept or dismiss) first.`,
        );
      }
      return current;
    },
    async prelaunch() {
      if (launched) return;
      starting ??= start().finally(() => {
        starting = undefined;
      });
      await starting;
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
    flushRequests: (callCtx) => summary.take(callCtx),
    async close() {
      if (starting) await starting.catch(() => {});
      const was = launched;
      const dl = downloads;
      const g = guard;
      const t = tunnel;
      reset();
      // What the page did since the last call still reaches the audit log.
      await summary.take(ctx).catch(() => []);
      // The browser goes first: a hung one would never answer the guard's or the downloads' detach.
      await was?.close();
      await g?.dispose();
      await dl?.dispose();
      await t?.close();
    },
  };
  return session;
}
