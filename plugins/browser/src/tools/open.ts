import { defineTool, WorksiteError, type ToolContext } from "@worksite/core";
import { z } from "zod";
import type { BrowserSession } from "../session.js";
import type { Tab } from "../tab.js";
import { isBlank, isWebUrl, normalizeUrl } from "@worksite/page";
import { result, timeoutOf, withSignal } from "./common.js";

/**
 * Navigates `tab` to a URL the gate already decided on as this call's target.
 * Non-web schemes are asked about again, because only a rule naming them
 * (not the read-only default) lets the browser open them.
 */
export async function navigate(session: BrowserSession, tab: Tab, ctx: ToolContext, url: string) {
  const mark = session.events.mark();
  if (!isWebUrl(url) && !isBlank(url)) {
    const verdict = await session.allowNavigation(url);
    if (!verdict.permitted) throw new WorksiteError("refused", `Refused to open ${url}: ${verdict.reason}`);
  }
  tab.approved = url;
  let failure: string | undefined;
  try {
    await withSignal(tab.page.goto(url, { waitUntil: "load", timeout: timeoutOf(session) }), ctx.signal);
  } catch (error) {
    failure = (error as Error).message;
  } finally {
    tab.approved = undefined;
  }
  const blocked = session.events.since(mark).some((e) => e.kind === "blocked");
  if (failure && !blocked) throw new WorksiteError("tool-failed", `Could not open ${url}: ${failure}`);
  const title = await tab.page.title().catch(() => "");
  const now = tab.page.url();
  const lines = blocked
    ? [`Navigation to ${url} was blocked; the tab shows ${now}.`]
    : [`Opened ${now} on tab ${tab.id}.`, `Title: ${ctx.untrusted(title, now)}`];
  return result(session, ctx, mark, lines, { url: now, requested: url, title, tab: tab.id, blocked });
}

export function openTool(session: BrowserSession) {
  return defineTool({
    description:
      "Open a URL in the current tab of the in-app browser. Redirects and page-initiated navigations are checked against PERMISSIONS.md too.",
    effect: "read",
    targetKind: "url",
    input: z.object({
      url: z.string().min(1).describe("Address to open; https:// is assumed when no scheme is given"),
    }),
    target: (input) => normalizeUrl(input.url),
    async run(input, ctx) {
      const tab = await session.use(ctx);
      return navigate(session, tab, ctx, normalizeUrl(input.url));
    },
  });
}
