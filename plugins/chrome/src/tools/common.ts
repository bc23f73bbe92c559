import type { Tier, ToolContext, ToolResult } from "@worksite/core";
import { namesOrigin, sensitiveKind } from "../sensitive-sites.js";
import { capture, frames, maskPage, tabUrl } from "../page-ops.js";
import type { ChromeSession, ChromeTab } from "../session.js";

/**
 * The call's target: the URL of the frame that owns `ref` (else the tab's
 * page) as it is now, asked of Chrome at the moment of the call.
 */
export async function liveTarget(session: ChromeSession, ctx: ToolContext, ref?: string): Promise<string> {
  // The tab the call will act on, found (and connected to) now: a blank stand-in would let a read past its rule.
  const tab = await session.use(ctx);
  try {
    const list = await frames(session, tab);
    const frameId = ref ? tab.refFrames.get(ref) : undefined;
    return (list.find((f) => f.id === frameId) ?? list[0])?.url ?? "about:blank";
  } catch {
    return "about:blank";
  }
}

/** Sensitive sites are forbidden unless a rule names their origin; what else a tool adds (a password field) comes on top. */
export async function siteFloor(
  session: ChromeSession,
  tool: string,
  url: string,
  ctx: ToolContext,
): Promise<Tier | undefined> {
  const kind = sensitiveKind(url, session.options.sensitiveHosts);
  if (!kind) return undefined;
  const decision = ctx.decide ? ctx.decide(tool, url) : await ctx.check(tool, url);
  return namesOrigin(decision, url) ? undefined : "forbidden";
}

/**
 * How the evidence after an action is encoded: JPEG at quality 80. Measured on the bench page here, a capture
 * is mostly the compositor's frame; JPEG 80 took ~50 ms against PNG's ~61 ms (median of 25) at about 80% of the
 * bytes, with text still legible; WebP 80 took ~99 ms. A screenshot the agent asks for (chrome.screenshot) stays PNG.
 */
export const EVIDENCE_SHOT = { format: "jpeg", quality: 80 } as const;

/**
 * The page turn after an action that also puts the evidence's mask on (one round trip instead of two).
 * `masked()` is the page's URL when the mask is still on for the capture: not after a navigation, which
 * took the masked document away.
 */
export function maskingTurn(session: ChromeSession, tab: ChromeTab) {
  let url: string | undefined;
  return {
    turn: async (frameId: string) => {
      url = await maskPage(session, tab, frameId, true);
    },
    masked: (out: { navigated: boolean }) => (out.navigated ? undefined : url),
  };
}

/**
 * Every mutating action leaves a screenshot after it, as evidence. It is taken before the call returns (so it shows
 * the page after the action and before any next one); the file and its index entry are written in the background
 * and are on disk by the gate's settled()/dispose.
 */
export async function evidence(
  session: ChromeSession,
  tab: ChromeTab,
  ctx: ToolContext,
  tool: string,
  lines: string[],
  data: Record<string, unknown>,
  masked?: string,
): Promise<ToolResult> {
  let shot: Awaited<ReturnType<typeof capture>>;
  try {
    shot = await capture(session, tab, EVIDENCE_SHOT, masked);
  } catch {
    const url = await tabUrl(session, tab).catch(() => "");
    return { content: [...lines, "(no screenshot: the tab could not be captured)"].join("\n"), data: { ...data, url } };
  }
  const { url } = shot;
  const artifact = await ctx.artifacts.write({
    name: `after-${tool}.jpg`,
    kind: "screenshot",
    data: shot.data,
    background: true,
    meta: { url, time: new Date().toISOString(), tab: tab.id, after: `chrome.${tool}` },
  });
  return {
    content: [...lines, `Screenshot after: ${artifact.path}`].join("\n"),
    data: { ...data, url, screenshot: artifact.path },
    artifacts: [artifact],
  };
}
