import { defineTool, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { normalizeUrl } from "@worksite/page";
import { result } from "./common.js";
import { navigate } from "./open.js";

const input = z.object({
  action: z.enum(["list", "new", "select", "close"]),
  id: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Tab id for select and close (close defaults to the current tab)"),
  url: z.string().min(1).optional().describe("For new: open this address in the new tab"),
});

export function tabsTool(session: BrowserSession) {
  return defineTool({
    description: "List, open, select or close browser tabs.",
    effect: "read",
    targetKind: "url",
    input,
    target: (i) => (i.action === "new" && i.url ? normalizeUrl(i.url) : refOwnerUrl(session, undefined)),
    async run(i, ctx) {
      await session.use(ctx);
      const mark = session.events.mark();
      if (i.action === "new") {
        const tab = await session.newTab();
        if (i.url) return navigate(session, tab, ctx, normalizeUrl(i.url));
        return result(session, ctx, mark, [`Opened tab ${tab.id} (blank) and selected it.`], { tab: tab.id });
      }
      if (i.action === "select") {
        if (i.id === undefined)
          throw new WorksiteError("user", "tabs select needs an id; browser.tabs list shows them.");
        const tab = session.select(i.id);
        await tab.page.bringToFront().catch(() => {});
        return result(session, ctx, mark, [`Selected tab ${tab.id} at ${tab.page.url()}.`], {
          tab: tab.id,
          url: tab.page.url(),
        });
      }
      if (i.action === "close") {
        const id = i.id ?? session.peek()?.id;
        if (id === undefined) throw new WorksiteError("user", "No tab to close.");
        await session.closeTab(id);
        return result(
          session,
          ctx,
          mark,
          [`Closed tab ${id}.${session.peek() ? ` Tab ${session.peek()?.id} is current.` : ""}`],
          { closed: id },
        );
      }
      const current = session.peek();
      const tabs = await Promise.all(
        session.tabs().map(async (t) => ({
          id: t.id,
          url: t.page.url(),
          title: await t.page.title().catch(() => ""),
          current: t === current,
        })),
      );
      const list = tabs.map((t) => `${t.current ? "*" : " "} [${t.id}] ${t.title} — ${t.url}`).join("\n");
      return result(session, ctx, mark, [`${tabs.length} tab(s), * is current:`, ctx.untrusted(list, "browser tabs")], {
        tabs,
      });
    },
  });
}
