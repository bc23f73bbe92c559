import type { Dialog, Frame, HTTPRequest, Page } from "puppeteer-core";
import type { EventLog } from "./events.js";

export interface ConsoleEntry { type: string; text: string; url?: string; time: string }
export interface NetworkEntry { method: string; url: string; status?: number; type: string; failure?: string; time: string }
export interface PendingDialog { dialog: Dialog; type: string; message: string; defaultValue: string }

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
  /** Navigation requests the guard aborted (so an abort is not mistaken for a download starting). */
  blocked: WeakSet<HTTPRequest>;
  /** A main-frame navigation is under way (requested, not yet loaded or failed). */
  loading: boolean;
  /** Resolves waiters (an action racing a dialog) when a dialog opens. */
  dialogWaiters: Set<() => void>;
}

export type NavigationCheck = (url: string) => Promise<{ permitted: boolean; reason: string }>;

const LOG_LIMIT = 500;

function pushCapped<T>(list: T[], item: T) {
  list.push(item);
  if (list.length > LOG_LIMIT) list.shift();
}

/**
 * Every navigation request (main frame, iframe, redirect hop, popup) is held
 * until the policy answers, then continued or aborted "blockedbyclient".
 * Subresources pass straight through: the issue asks for origin at
 * navigation time, and checking each image would flood the audit log.
 */
async function guardRequest(tab: Tab, request: HTTPRequest, check: NavigationCheck, events: EventLog) {
  if (request.isInterceptResolutionHandled()) return;
  if (!request.isNavigationRequest()) {
    await request.continue().catch(() => {});
    return;
  }
  const url = request.url();
  const frame = request.frame();
  const isMain = !frame || frame === tab.page.mainFrame();
  const isRedirect = request.redirectChain().length > 0;
  if (isMain && !isRedirect && tab.approved !== undefined && tab.approved === url) {
    tab.approved = undefined;
    await request.continue().catch(() => {});
    return;
  }
  let verdict: { permitted: boolean; reason: string };
  try {
    verdict = await check(url);
  } catch (error) {
    verdict = { permitted: false, reason: `policy check failed: ${(error as Error).message}` };
  }
  if (verdict.permitted) {
    await request.continue().catch(() => {});
    return;
  }
  tab.blocked.add(request);
  events.push({ kind: "blocked", tab: tab.id, url, via: isRedirect ? "redirect" : isMain ? "page" : "frame", reason: verdict.reason });
  // "aborted" rather than "blockedbyclient": Chromium then keeps the current page instead of committing an error page.
  await request.abort("aborted").catch(() => {});
}

/** Wires a puppeteer page to our bookkeeping and guard. The guard is on before this resolves. */
export async function attachTab(page: Page, id: number, check: NavigationCheck, events: EventLog): Promise<Tab> {
  const tab: Tab = { id, page, console: [], network: [], refFrames: new Map(), nextRef: 1, loading: false, blocked: new WeakSet(), dialogWaiters: new Set() };
  let navigation: HTTPRequest | undefined;
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) { navigation = request; tab.loading = true; }
  });
  page.on("requestfailed", (request) => { if (request === navigation) tab.loading = false; });
  page.on("load", () => { tab.loading = false; });
  page.on("request", (request) => void guardRequest(tab, request, check, events));
  await page.setRequestInterception(true);
  const now = () => new Date().toISOString();
  page.on("console", (message) => pushCapped(tab.console, { type: message.type(), text: message.text(), url: message.location().url, time: now() }));
  page.on("pageerror", (error) => pushCapped(tab.console, { type: "pageerror", text: String((error as Error).message ?? error), time: now() }));
  page.on("requestfinished", (request) => pushCapped(tab.network, {
    method: request.method(), url: request.url(), status: request.response()?.status(), type: request.resourceType(), time: now(),
  }));
  page.on("requestfailed", (request) => pushCapped(tab.network, {
    method: request.method(), url: request.url(), type: request.resourceType(), failure: request.failure()?.errorText ?? "failed", time: now(),
  }));
  page.on("dialog", (dialog) => {
    tab.dialog = { dialog, type: dialog.type(), message: dialog.message(), defaultValue: dialog.defaultValue() };
    events.push({ kind: "dialog", tab: tab.id, type: dialog.type(), message: dialog.message() });
    for (const wake of tab.dialogWaiters) wake();
  });
  return tab;
}
