import { defineTool } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result, stable } from "./common.js";

export function readTool(session: BrowserSession) {
  return defineTool({
    description: "The visible text of the current tab (main frame), as untrusted content.",
    effect: "read",
    targetKind: "url",
    input: z.object({
      budget: z.number().int().min(500).max(500_000).optional().describe("Most characters returned (default 20000)"),
    }),
    target: () => refOwnerUrl(session, undefined),
    async run(input, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const budget = input.budget ?? 20_000;
      // innerText leaves out display:none and visibility:hidden text and never includes form field values.
      const text = await stable(tab.page, () => tab.page.evaluate(() => document.body?.innerText ?? ""));
      const url = tab.page.url();
      const cut = text.length > budget;
      const body = cut ? `${text.slice(0, budget)}\n… ${text.length - budget} more characters left out` : text;
      return result(session, ctx, mark, [`Text of ${url}:`, ctx.untrusted(body, url)], {
        url,
        chars: text.length,
        trimmed: cut,
      });
    },
  });
}
