import { WorksiteError, type ToolContext, type ToolResult } from "@worksite/core";
import type { HTTPRequest, Page } from "puppeteer-core";
import type { SessionEvent } from "../events.js";
import type { BrowserSession } from "../session.js";
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

/**
 * Runs a page action, returning early if a dialog opens (the action's own
 * promise would wait on the dialog), and, when the action started a
 * main-frame navigation, waiting until it loads, fails, is blocked or turns
 * into a download, so the next call sees where the click led.
 */
export async function act(
  tab: Tab,
  timeoutMs: number,
  signal: AbortSignal,
  action: () => Promise<unknown>,
  downloadCount: () => number = () => 0,
): Promise<{ dialog: boolean }> {
  const page: Page = tab.page;
  let navigation: HTTPRequest | undefined;
  let settled = false;
  const onRequest = (r: HTTPRequest) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) {
      navigation = r;
      settled = false;
    }
  };
  let mayDownload = false;
  const onFailed = (r: HTTPRequest) => {
    if (r !== navigation) return;
    settled = true;
    // A navigation that turns into a download is aborted before Chromium announces the download.
    mayDownload =
      !tab.blocked.has((r as unknown as { id: string }).id) && /ERR_ABORTED/.test(r.failure()?.errorText ?? "");
  };
  const onLoad = () => {
    if (navigation) settled = true;
  };
  page.on("request", onRequest);
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
    await sleep(50, signal);
    const deadline = Date.now() + timeoutMs;
    while (
      navigation &&
      !settled &&
      !tab.dialog &&
      downloadCount() === downloadsBefore &&
      Date.now() < deadline &&
      !signal.aborted
    ) {
      await sleep(25, signal);
    }
    for (
      const until = Date.now() + 1000;
      mayDownload && downloadCount() === downloadsBefore && Date.now() < until && !signal.aborted;
    ) {
      await sleep(25, signal);
    }
    return { dialog: Boolean(tab.dialog) };
  } finally {
    page.off("request", onRequest);
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
