import type { ToolContext } from "@worksite/core";
import { isBlank, navigationVerdict } from "@worksite/page";
import { inWorld, mainFrameId } from "./page-ops.js";
import { namesOrigin, sensitiveKind } from "./sensitive-sites.js";
import type { ChromeSession, ChromeTab } from "./session.js";

/*
 * The origin check at action time for the person's own tabs. From the first call on a tab until it ends, every
 * document the tab asks for (an action's own navigation, a redirect hop, a frame, a navigation the page starts by
 * itself between two actions) is paused and decided by PERMISSIONS.md as a chrome.open of that URL, with the latest
 * call's context; a refusal fails the request before a byte leaves. Only documents are paused: a subresource (an
 * image, a script, a fetch) is never a chrome.open of its URL, so pausing it decided nothing (the sandbox and the
 * page's own rules govern those, as in the person's Chrome before). The pause stays on between actions, so no call
 * pays for turning it on and off; the extension puts it back itself when it attaches to the tab again after an idle
 * detach (extension/background.js).
 */

export interface Blocked {
  url: string;
  reason: string;
}

export async function decideUrl(session: ChromeSession, ctx: ToolContext, url: string) {
  const decision = await ctx.check("chrome.open", url);
  const kind = sensitiveKind(url, session.options.sensitiveHosts);
  if (kind && !namesOrigin(decision, url))
    return {
      permitted: false,
      reason: `forbidden: ${url} is ${kind}; only a PERMISSIONS.md rule naming its origin lets the agent in`,
    };
  return navigationVerdict(url, decision);
}

/**
 * Puts the tab's documents under the guard: a paused document is decided with the latest call's context, and a
 * refusal is kept on the tab until a result reports it. The same listener forgets a frame's isolated world when the
 * frame shows a new document.
 */
function ensureGuard(session: ChromeSession, tab: ChromeTab) {
  if (tab.guard) return;
  tab.guard = session.listen(tab, (method, params) => {
    if (method === "Page.frameNavigated") {
      const frame = params.frame as { id: string; parentId?: string };
      if (frame.parentId === undefined) tab.worlds.clear();
      else tab.worlds.delete(frame.id);
      return;
    }
    if (method === "Page.frameDetached") {
      tab.worlds.delete(String(params.frameId));
      return;
    }
    if (method !== "Fetch.requestPaused") return;
    const url = String((params.request as { url: string }).url);
    const requestId = String(params.requestId);
    void (async () => {
      if (tab.allowOnce !== undefined && url === tab.allowOnce) {
        tab.allowOnce = undefined;
        return session.send(tab, "Fetch.continueRequest", { requestId });
      }
      const ctx = session.bound();
      const verdict = isBlank(url)
        ? { permitted: true, reason: "" }
        : ctx
          ? await decideUrl(session, ctx, url)
          : { permitted: false, reason: "no tool call is bound to the Chrome session" };
      if (verdict.permitted) return session.send(tab, "Fetch.continueRequest", { requestId });
      tab.blocked.push({ url, reason: verdict.reason });
      tab.onBlocked?.();
      // An empty 204 ends the navigation with no new document: the tab stays on the page it was on (a failed
      // request would leave it on Chrome's error page). Nothing reaches the refused origin either way.
      return session.send(tab, "Fetch.fulfillRequest", { requestId, responseCode: 204 });
    })().catch(() => {});
  });
}

/**
 * Switches the guard on for the tab's lifetime, once: its listener, page events (for settling and the world
 * cache) and the pause on documents. Called when a call first uses the tab (session.use).
 */
export function arm(session: ChromeSession, tab: ChromeTab): Promise<void> {
  ensureGuard(session, tab);
  tab.armed ??= Promise.all([
    session.send(tab, "Page.enable"),
    session.send(tab, "Fetch.enable", { patterns: [{ resourceType: "Document", requestStage: "Request" }] }),
  ]).then(
    () => {},
    (error: unknown) => {
      tab.armed = undefined;
      throw error;
    },
  );
  return tab.armed;
}

/** Brings the tab to the front: a background tab's renderer acknowledges input late (seconds). */
export function front(session: ChromeSession, tab: ChromeTab): Promise<void> {
  return session.send(tab, "Page.bringToFront").then(
    () => {},
    () => {},
  );
}

/**
 * One turn of the page's event loop, there and back: whatever the action queued in the page (a form submission,
 * a `setTimeout(…, 0)` that sets `location`) has run when this returns, and a navigation it asked for has been
 * announced (the renderer sends Page.frameRequestedNavigation before this reply). Rejects when the document went
 * away under it: a navigation is then under way.
 */
async function pageTurn(
  session: ChromeSession,
  tab: ChromeTab,
  frameId: string,
  timeoutMs: number,
  turn: (frameId: string) => Promise<unknown> = (id) =>
    inWorld(session, tab, id, () => new Promise((resolve) => setTimeout(resolve, 0))),
) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      turn(frameId),
      // A page whose script never yields does not hold the call past its timeout.
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `action` on an armed tab, then waits (up to the timeout) for a main-frame navigation it started to
 * finish, fail or be refused. `turn` replaces the bare page turn (the evidence's mask does both in one trip);
 * `navigated` says whether the page went on to load something after it.
 */
export async function guarded(
  session: ChromeSession,
  tab: ChromeTab,
  _ctx: ToolContext,
  action: () => Promise<unknown>,
  approved?: string,
  turn?: (frameId: string) => Promise<unknown>,
): Promise<{ blocked: Blocked[]; failed?: string; mainFrame?: string; navigated: boolean }> {
  await arm(session, tab);
  const mark = tab.blocked.length;
  const main = await mainFrameId(session, tab).catch(() => undefined);
  let loading = false;
  let settled = false;
  let wake = () => {};
  const finished = new Promise<void>((resolve) => {
    wake = () => {
      settled = true;
      resolve();
    };
  });
  tab.allowOnce = approved;
  const stop = session.listen(tab, (method, params) => {
    if (params.frameId === main || (params.frame as { id?: string } | undefined)?.id === main) {
      if (method === "Page.frameStartedLoading") loading = true;
      if (method === "Page.frameRequestedNavigation" && params.disposition === "currentTab") loading = true;
      if (
        method === "Page.frameStoppedLoading" ||
        method === "Page.loadEventFired" ||
        method === "Page.navigatedWithinDocument"
      )
        wake();
    } else if (method === "Page.loadEventFired" && loading) wake();
  });
  // A refused document ends the wait too: nothing more comes of that navigation.
  tab.onBlocked = () => {
    if (loading) wake();
  };
  let failed: string | undefined;
  try {
    const out = (await action()) as { errorText?: string } | undefined;
    if (out && typeof out === "object" && out.errorText) failed = out.errorText;
    // No fixed sleep: one turn of the page's event loop shows whether the action started a navigation.
    if (main) await pageTurn(session, tab, main, session.options.timeoutMs, turn).catch(() => {});
    if (loading && !settled && !failed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise((r) => {
          timer = setTimeout(r, session.options.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
  } finally {
    stop();
    tab.onBlocked = undefined;
    tab.allowOnce = undefined;
  }
  // Refusals from before this call that no result reported yet come first.
  const blocked = tab.blocked.slice(Math.min(mark, tab.reported));
  tab.reported = tab.blocked.length;
  return { blocked, navigated: loading, ...(failed ? { failed } : {}), ...(main ? { mainFrame: main } : {}) };
}

/** Refusals no result has reported yet (a navigation the page started after the last action returned). */
export function unreported(tab: ChromeTab | undefined): string[] {
  if (!tab || tab.reported >= tab.blocked.length) return [];
  const lines = blockedLines(tab.blocked.slice(tab.reported), tab);
  tab.reported = tab.blocked.length;
  return lines;
}

export function blockedLines(blocked: Blocked[], tab: ChromeTab): string[] {
  return blocked.map((b) => `Blocked navigation to ${b.url} on tab ${tab.id}: ${b.reason}`);
}
