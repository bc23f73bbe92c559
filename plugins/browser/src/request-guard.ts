import type { Browser, CDPSession } from "puppeteer-core";
import type { Protocol } from "puppeteer-core";

/** What the guard knows about one paused request. */
export interface PausedRequest {
  url: string;
  /** Chromium's resource type: Document, Image, Script, XHR, Fetch, Ping, Other … */
  type: string;
  /** The frame that asked (for a popup's first navigation: the popup's own main frame). */
  frameId?: string;
  /** Set when the request is a redirect hop of an earlier one. */
  redirect: boolean;
  /** The Network domain's id (puppeteer's `HTTPRequest.id`). */
  networkId?: string;
}

export type RequestVerdict = { permitted: true } | { permitted: false; reason: string };

export interface RequestGuard {
  /** Closes a top-level target (a popup whose first navigation was refused) that puppeteer may not have handed us yet. */
  closeTarget(targetId: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Every request of every target in the browser — pages, popups before their
 * first request, iframes in other processes, dedicated and service workers,
 * beacons, prefetches — is paused in the browser process before it is sent,
 * decided by `decide`, then continued or failed. Interception sits on the
 * browser target rather than each page (puppeteer's setRequestInterception):
 * a page-level handler only starts once a popup or worker has been attached,
 * after its first request has already left (issue 11, item 6).
 *
 * WebSockets are not paused by the Fetch domain; the proxy gate (proxy-gate.ts) decides them.
 */
export async function guardRequests(
  browser: Browser,
  decide: (request: PausedRequest) => Promise<RequestVerdict>,
): Promise<RequestGuard> {
  const cdp: CDPSession = await browser.target().createCDPSession();
  const onPaused = (event: Protocol.Fetch.RequestPausedEvent) => void handle(event);
  async function handle(event: Protocol.Fetch.RequestPausedEvent) {
    let verdict: RequestVerdict;
    try {
      verdict = await decide({
        url: event.request.url,
        type: event.resourceType,
        ...(event.frameId ? { frameId: event.frameId } : {}),
        redirect: Boolean(event.redirectedRequestId),
        ...(event.networkId ? { networkId: event.networkId } : {}),
      });
    } catch (error) {
      // Fail closed: a decision that could not be made is a refusal.
      verdict = { permitted: false, reason: `policy check failed: ${(error as Error).message}` };
    }
    // The browser may be gone by now (a run stopping); nothing was sent then either.
    if (verdict.permitted) await cdp.send("Fetch.continueRequest", { requestId: event.requestId }).catch(() => {});
    // "Aborted" rather than "BlockedByClient": Chromium then keeps the current page instead of committing an error page.
    else await cdp.send("Fetch.failRequest", { requestId: event.requestId, errorReason: "Aborted" }).catch(() => {});
  }
  cdp.on("Fetch.requestPaused", onPaused);
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*", requestStage: "Request" }] });
  return {
    async closeTarget(targetId) {
      await cdp.send("Target.closeTarget", { targetId }).catch(() => {});
    },
    async dispose() {
      cdp.off("Fetch.requestPaused", onPaused);
      await cdp.detach().catch(() => {});
    },
  };
}
