import type { Dialog, Frame, HTTPRequest, Page } from "puppeteer-core";
import type { EventLog } from "./events.js";
import { createWaker, frameIdOf, pageClient, type Waker } from "./settle.js";

export interface ConsoleEntry {
  type: string;
  text: string;
  url?: string;
  time: string;
}
export interface NetworkEntry {
  method: string;
  url: string;
  status?: number;
  type: string;
  failure?: string;
  time: string;
}
export interface PendingDialog {
  dialog: Dialog;
  type: string;
  message: string;
  defaultValue: string;
}

/** One browser tab and what we keep about it. */
export interface Tab {
  id: number;
  page: Page;
  console: ConsoleEntry[];
  network: NetworkEntry[];
  dialog?: PendingDialog;
  /** Which frame each ref was handed out in; refs are unique per tab across frames and documents. */
  refFrames: Map<string, Frame>;
  nextRef: number;
  /** The main-frame URL the gate already decided (a `browser.open` target), so the guard does not ask twice. */
  approved?: string;
  /** Network ids of requests the guard refused, shared by all tabs (so a refusal is not mistaken for a download starting). */
  blocked: ReadonlySet<string>;
  /** A main-frame navigation is under way (requested, not yet loaded or failed). */
  loading: boolean;
  /** Resolves waiters (an action racing a dialog) when a dialog opens. */
  dialogWaiters: Set<() => void>;
  /** Woken whenever the tab's loading state, a request or a dialog changes: waits here follow events, not a clock. */
  changed: Waker;
}

const LOG_LIMIT = 500;

function pushCapped<T>(list: T[], item: T) {
  list.push(item);
  if (list.length > LOG_LIMIT) list.shift();
}

/**
 * Wires a puppeteer page to our bookkeeping. Requests are decided by the
 * browser-wide guard (request-guard.ts), not here: a page-level handler starts
 * too late for a popup's or a worker's first request.
 */
export function attachTab(page: Page, id: number, blocked: ReadonlySet<string>, events: EventLog): Tab {
  const tab: Tab = {
    id,
    page,
    console: [],
    network: [],
    refFrames: new Map(),
    nextRef: 1,
    loading: false,
    blocked,
    dialogWaiters: new Set(),
    changed: createWaker(),
  };
  const changed = () => tab.changed.wake();
  let navigation: HTTPRequest | undefined;
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      navigation = request;
      tab.loading = true;
    }
    changed();
  });
  page.on("requestfailed", (request) => {
    if (request === navigation) tab.loading = false;
    changed();
  });
  page.on("requestfinished", changed);
  page.on("load", () => {
    tab.loading = false;
    changed();
  });
  // A navigation that ends without a load or a failure (a 204 answer, a cancelled one) still stops loading.
  pageClient(page).on("Page.frameStoppedLoading", (event: { frameId: string }) => {
    if (event.frameId !== frameIdOf(page.mainFrame())) return;
    tab.loading = false;
    changed();
  });
  const now = () => new Date().toISOString();
  page.on("console", (message) =>
    pushCapped(tab.console, { type: message.type(), text: message.text(), url: message.location().url, time: now() }),
  );
  page.on("pageerror", (error) =>
    pushCapped(tab.console, { type: "pageerror", text: String((error as Error).message ?? error), time: now() }),
  );
  page.on("requestfinished", (request) =>
    pushCapped(tab.network, {
      method: request.method(),
      url: request.url(),
      status: request.response()?.status(),
      type: request.resourceType(),
      time: now(),
    }),
  );
  page.on("requestfailed", (request) =>
    pushCapped(tab.network, {
      method: request.method(),
      url: request.url(),
      type: request.resourceType(),
      failure: request.failure()?.errorText ?? "failed",
      time: now(),
    }),
  );
  page.on("dialog", (dialog) => {
    tab.dialog = { dialog, type: dialog.type(), message: dialog.message(), defaultValue: dialog.defaultValue() };
    events.push({ kind: "dialog", tab: tab.id, type: dialog.type(), message: dialog.message() });
    for (const wake of tab.dialogWaiters) wake();
    changed();
  });
  return tab;
}
