import type { Tier, ToolContext, ToolResult } from "@worksite/core";
import { namesOrigin, sensitiveKind } from "../sensitive-sites.js";
import { capture, frames } from "../page-ops.js";
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

/** Every mutating action leaves a screenshot after it, as evidence. */
export async function evidence(
  session: ChromeSession,
  tab: ChromeTab,
  ctx: ToolContext,
  tool: string,
  lines: string[],
  data: Record<string, unknown>,
): Promise<ToolResult> {
  const main = (await frames(session, tab).catch(() => []))[0];
  const url = main?.url ?? "";
  try {
    const shot = await capture(session, tab, "png", main?.id);
    const artifact = await ctx.artifacts.write({
      name: `after-${tool}.png`,
      kind: "screenshot",
      data: shot,
      meta: { url, time: new Date().toISOString(), tab: tab.id, after: `chrome.${tool}` },
    });
    return {
      content: [...lines, `Screenshot after: ${artifact.path}`].join("\n"),
      data: { ...data, url, screenshot: artifact.path },
      artifacts: [artifact],
    };
  } catch {
    return { content: [...lines, "(no screenshot: the tab could not be captured)"].join("\n"), data: { ...data, url } };
  }
}
