import type { ToolContext } from "@worksite/core";
import { isBlank, navigationVerdict } from "@worksite/page";
import { frames } from "./page-ops.js";
import { namesOrigin, sensitiveKind } from "./sensitive-sites.js";
import type { ChromeSession, ChromeTab } from "./session.js";

/*
 * The origin check at action time for the person's own tabs: while an action
 * runs, every document the tab asks for (the action's own navigation, a
 * redirect hop, a frame) is paused and decided by PERMISSIONS.md as a
 * chrome.open of that URL; a refusal fails the request before a byte leaves.
 * Outside actions nothing is paused, and the next call's target is the URL the
 * tab shows then.
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
 * Puts the tab's documents under the guard, once per tab: from the first
 * action on, every document it asks for (the action's own navigation, a
 * redirect hop, a frame, a navigation the page starts later) is paused and
 * decided with the latest call's context. A refusal is kept on the tab until
 * a result reports it.
 */
function ensureGuard(session: ChromeSession, tab: ChromeTab) {
  if (tab.guard) return;
  tab.guard = session.listen(tab, (method, params) => {
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
      return session.send(tab, "Fetch.failRequest", { requestId, errorReason: "BlockedByClient" });
    })().catch(() => {});
  });
}

/**
 * Runs `action` with documents guarded, then waits (up to the timeout) for a
 * main-frame navigation it started to finish, fail or be refused.
 */
export async function guarded(
  session: ChromeSession,
  tab: ChromeTab,
  _ctx: ToolContext,
  action: () => Promise<unknown>,
  approved?: string,
): Promise<{ blocked: Blocked[]; failed?: string; mainFrame?: string }> {
  ensureGuard(session, tab);
  const mark = tab.blocked.length;
  const [main] = await frames(session, tab);
  let loading = false;
  let settled = false;
  let wake = () => {};
  const finished = new Promise<void>((resolve) => {
    wake = resolve;
  });
  tab.allowOnce = approved;
  const stop = session.listen(tab, (method, params) => {
    if (params.frameId === main?.id) {
      if (method === "Page.frameStartedLoading") loading = true;
      if (method === "Page.frameStoppedLoading" || method === "Page.loadEventFired") {
        settled = true;
        wake();
      }
    } else if (method === "Page.loadEventFired" && loading) {
      settled = true;
      wake();
    }
  });
  // In one round trip's time: a background tab's renderer acknowledges input late (seconds), so the tab comes
  // to the front; page events for settling; the pause on documents (again: an idle detach drops it).
  await Promise.all([
    session.send(tab, "Page.bringToFront").catch(() => {}),
    session.send(tab, "Page.enable"),
    session.send(tab, "Fetch.enable", { patterns: [{ resourceType: "Document", requestStage: "Request" }] }),
  ]);
  let failed: string | undefined;
  try {
    const out = (await action()) as { errorText?: string } | undefined;
    if (out && typeof out === "object" && out.errorText) failed = out.errorText;
    // A click's navigation starts a moment after the click returns.
    await new Promise((r) => setTimeout(r, 50));
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
    tab.allowOnce = undefined;
  }
  // Refusals from before this call that no result reported yet come first.
  const blocked = tab.blocked.slice(Math.min(mark, tab.reported));
  tab.reported = tab.blocked.length;
  return { blocked, ...(failed ? { failed } : {}), ...(main ? { mainFrame: main.id } : {}) };
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
