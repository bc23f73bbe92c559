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
 * Runs `action` with documents guarded, then waits (up to the timeout) for a
 * main-frame navigation it started to finish, fail or be refused.
 */
export async function guarded(
  session: ChromeSession,
  tab: ChromeTab,
  ctx: ToolContext,
  action: () => Promise<unknown>,
  approved?: string,
): Promise<{ blocked: Blocked[]; failed?: string; mainFrame?: string }> {
  const blocked: Blocked[] = [];
  const [main] = await frames(session, tab);
  let loading = false;
  let settled = false;
  let wake = () => {};
  const finished = new Promise<void>((resolve) => {
    wake = resolve;
  });
  let allowOnce = approved;
  const stop = session.listen(tab, (method, params) => {
    if (method === "Fetch.requestPaused") {
      const url = String((params.request as { url: string }).url);
      const id = String(params.requestId);
      void (async () => {
        if (allowOnce !== undefined && url === allowOnce && params.frameId === main?.id) {
          allowOnce = undefined;
          return session.send(tab, "Fetch.continueRequest", { requestId: id });
        }
        const verdict = isBlank(url) ? { permitted: true, reason: "" } : await decideUrl(session, ctx, url);
        if (verdict.permitted) return session.send(tab, "Fetch.continueRequest", { requestId: id });
        blocked.push({ url, reason: verdict.reason });
        return session.send(tab, "Fetch.failRequest", { requestId: id, errorReason: "BlockedByClient" });
      })().catch(() => {});
    } else if (params.frameId === main?.id) {
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
  // to the front; page events for settling; the pause on documents that checks each navigation.
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
    await session.send(tab, "Fetch.disable").catch(() => {});
  }
  return { blocked, ...(failed ? { failed } : {}), ...(main ? { mainFrame: main.id } : {}) };
}

export function blockedLines(blocked: Blocked[], tab: ChromeTab): string[] {
  return blocked.map((b) => `Blocked navigation to ${b.url} on tab ${tab.id}: ${b.reason}`);
}
