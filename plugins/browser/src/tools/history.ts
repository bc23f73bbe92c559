import { defineTool, type ToolContext } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result, timeoutOf, withSignal } from "./common.js";

type Move = "back" | "forward" | "reload";

async function move(session: BrowserSession, ctx: ToolContext, how: Move) {
  const tab = await session.use(ctx);
  const mark = session.events.mark();
  const options = { waitUntil: "load" as const, timeout: timeoutOf(session) };
  const page = tab.page;
  // A reload re-requests the page already decided on; history moves are checked by the guard like any navigation.
  if (how === "reload") tab.approved = page.url();
  try {
    const before = page.url();
    await withSignal(
      how === "back" ? page.goBack(options) : how === "forward" ? page.goForward(options) : page.reload(options),
      ctx.signal,
    ).catch((error: Error) => {
      if (!session.events.since(mark).some((e) => e.kind === "blocked")) throw error;
    });
    const title = await page.title().catch(() => "");
    const head =
      how !== "reload" && page.url() === before
        ? `No ${how} history; tab ${tab.id} stays at ${before}.`
        : `Tab ${tab.id} is at ${page.url()}.`;
    return result(session, ctx, mark, [head, `Title: ${ctx.untrusted(title, page.url())}`], { url: page.url(), title });
  } finally {
    tab.approved = undefined;
  }
}

function historyTool(session: BrowserSession, how: Move, description: string) {
  return defineTool({
    description,
    effect: "read",
    targetKind: "url",
    input: z.object({}),
    target: () => refOwnerUrl(session, undefined),
    run: (_input, ctx) => move(session, ctx, how),
  });
}

export const backTool = (s: BrowserSession) => historyTool(s, "back", "Go back in the current tab's history.");
export const forwardTool = (s: BrowserSession) => historyTool(s, "forward", "Go forward in the current tab's history.");
export const reloadTool = (s: BrowserSession) => historyTool(s, "reload", "Reload the current tab.");
