import { WorksiteError, type ToolContext, type ToolResult } from "@worksite/core";
import type { HTTPRequest, Page } from "puppeteer-core";
import type { SessionEvent } from "../events.js";
import type { BrowserSession } from "../session.js";
import { frameIdOf, pageClient, pageTurn, waitFor } from "../settle.js";
import type { Tab } from "../tab.js";

export const DEFAULT_TIMEOUT_MS = 15_000;

export function timeoutOf(session: BrowserSession): number {
  return session.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

/** Rejects as soon as the call's signal aborts (steering interrupts between and inside calls). */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started before we looked (a goto while Chromium launched): its late failure is nobody's error (issue 21).
    promise.catch(() => {});
    return Promise.reject(new WorksiteError("tool-failed", "The call was aborted."));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new WorksiteError("tool-failed", "The call was aborted."));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** What happened on its own during the call, as lines the agent reads. Page-made text goes in the envelope. */
export function describeEvents(ctx: ToolContext, events: SessionEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case "blocked":
        return `Blocked navigation (${e.via}) to ${e.url}${e.tab !== undefined ? ` on tab ${e.tab}` : ""}: ${e.reason}`;
      case "tab-opened":
        return `A new tab ${e.tab} opened at ${e.url} (browser.tabs select to use it).`;
      case "dialog":
        return `A ${e.type} dialog opened on tab ${e.tab}; answer it with browser.dialog. Its message:\n${ctx.untrusted(e.message, `dialog on tab ${e.tab}`)}`;
      case "download":
        return e.state === "completed" ? `Downloaded ${e.url} → ${e.path}` : `Download of ${e.url} ${e.state}.`;
      default:
        return e satisfies never;
    }
  });
}

/** Builds a result: our own lines, then what happened on its own since `mark`. */
export function result(
  session: BrowserSession,
  ctx: ToolContext,
  mark: number,
  lines: string[],
  data?: Record<string, unknown>,
  artifacts?: ToolResult["artifacts"],
): ToolResult {
  const events = session.events.since(mark);
  const content = [...lines, ...describeEvents(ctx, events)].join("\n");
  return {
    content,
    data: { ...data, ...(events.length ? { events } : {}) },
    ...(artifacts ? { artifacts } : {}),
  };
}

/** After a navigation has loaded, how long the requests it started may take to finish before the call returns anyway. */
const QUIET_MS = 2_000;
/** A navigation the page asked for that never reached the network (cancelled before it left): given up on after this. */
const REQUESTED_GRACE_MS = 2_000;
/** A navigation aborted because it turned into a download: how long the download may take to be announced. */
const DOWNLOAD_GRACE_MS = 1_000;

/**
 * Runs a page action, returning early if a dialog opens (the action's own promise would wait on
 * the dialog). Then it waits for what actually happened, never a fixed time: one turn of the
 * page's event loop tells whether the action asked for a navigation of the tab; if it did not,
 * the call returns at once; if it did, it waits until that navigation loads (and the requests
 * it started finish, up to QUIET_MS), fails, is blocked or turns into a download, so the next
 * call sees where the click led.
 */
export async function act(
  tab: Tab,
  timeoutMs: number,
  signal: AbortSignal,
  action: () => Promise<unknown>,
  downloadCount: () => number = () => 0,
): Promise<{ dialog: boolean }> {
  const page: Page = tab.page;
  const client = pageClient(page);
  const mainFrame = frameIdOf(page.mainFrame());
  /** The page asked for a new document in this tab (a link, a form, `location = …`). */
  let requested = false;
  /** The browser started one (its request may still be paused by the guard). */
  let started = false;
  let navigation: HTTPRequest | undefined;
  let settled = false;
  let loaded = false;
  let mayDownload = false;
  /** Requests of this tab still open, once the navigation has committed: "network quiet" is this empty. */
  const open = new Set<HTTPRequest>();
  const changed = () => tab.changed.wake();
  const onRequested = (e: { frameId: string }) => {
    if (e.frameId !== mainFrame) return;
    requested = true;
    changed();
  };
  const onStarted = (e: { frameId: string; navigationType: string }) => {
    if (e.frameId !== mainFrame || e.navigationType !== "differentDocument") return;
    started = true;
    changed();
  };
  const onStopped = (e: { frameId: string }) => {
    if (e.frameId !== mainFrame || !(requested || started || navigation)) return;
    settled = true;
    changed();
  };
  const onRequest = (r: HTTPRequest) => {
    open.add(r);
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) {
      navigation = r;
      settled = false;
      loaded = false;
      open.clear();
      open.add(r);
    }
  };
  const onDone = (r: HTTPRequest) => {
    open.delete(r);
  };
  const onFailed = (r: HTTPRequest) => {
    open.delete(r);
    if (r !== navigation) return;
    settled = true;
    // A navigation that turns into a download is aborted before Chromium announces the download.
    mayDownload =
      !tab.blocked.has((r as unknown as { id: string }).id) && /ERR_ABORTED/.test(r.failure()?.errorText ?? "");
  };
  const onLoad = () => {
    if (!navigation) return;
    settled = true;
    loaded = true;
  };
  client.on("Page.frameRequestedNavigation", onRequested);
  client.on("Page.frameStartedNavigating", onStarted);
  client.on("Page.frameStoppedLoading", onStopped);
  client.on("Page.downloadWillBegin", changed);
  page.on("request", onRequest);
  page.on("requestfinished", onDone);
  page.on("requestfailed", onFailed);
  page.on("load", onLoad);
  const downloadsBefore = downloadCount();
  let wake: () => void = () => {};
  const dialogOpened = new Promise<"dialog">((resolve) => {
    wake = () => resolve("dialog");
    tab.dialogWaiters.add(wake);
  });
  try {
    const running = action();
    running.catch(() => {});
    const first = await withSignal(Promise.race([running.then(() => "done" as const), dialogOpened]), signal);
    if (first === "dialog") return { dialog: true };
    // A probe that fails means the document went away under it: a navigation is under way, which the waits below follow.
    await withSignal(Promise.race([pageTurn(page, timeoutMs).catch(() => {}), dialogOpened]), signal);
    const deadline = Date.now() + timeoutMs;
    const stop = () => tab.dialog !== undefined || downloadCount() !== downloadsBefore;
    const moving = () => started || navigation !== undefined;
    // Asked for but not started: it may still be cancelled before it leaves (beforeunload, a scheme that loads nothing).
    if (requested && !moving())
      await waitFor(
        tab.changed,
        () => stop() || settled || moving(),
        Math.min(deadline, Date.now() + REQUESTED_GRACE_MS),
        signal,
      );
    if (moving()) await waitFor(tab.changed, () => stop() || settled, deadline, signal);
    if (loaded && !stop())
      await waitFor(tab.changed, () => open.size === 0 || stop(), Math.min(deadline, Date.now() + QUIET_MS), signal);
    if (mayDownload)
      await waitFor(
        tab.changed,
        () => downloadCount() !== downloadsBefore,
        Math.min(deadline, Date.now() + DOWNLOAD_GRACE_MS),
        signal,
      );
    return { dialog: Boolean(tab.dialog) };
  } finally {
    client.off("Page.frameRequestedNavigation", onRequested);
    client.off("Page.frameStartedNavigating", onStarted);
    client.off("Page.frameStoppedLoading", onStopped);
    client.off("Page.downloadWillBegin", changed);
    page.off("request", onRequest);
    page.off("requestfinished", onDone);
    page.off("requestfailed", onFailed);
    page.off("load", onLoad);
    tab.dialogWaiters.delete(wake);
  }
}

/** "textbox \"Email\" [e3]" — the element as the call described it, for results and approvals. */
export function named(element: string | undefined, ref: string): string {
  return element ? `${element} [${ref}]` : `[${ref}]`;
}

/** How many downloads have started so far; an action that starts one has finished navigating. */
export function downloadCount(session: BrowserSession): () => number {
  return () => session.downloads()?.list().length ?? 0;
}

/**
 * Runs a read of the page again once if a navigation replaced the document
 * under it (a click's form submission that started after the click returned).
 */
export async function stable<T>(page: Page, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!/Execution context was destroyed|Cannot find context|detached Frame/i.test((error as Error).message))
      throw error;
    await page.waitForFunction(() => document.readyState === "complete", { timeout: 10_000 }).catch(() => {});
    return read();
  }
}
