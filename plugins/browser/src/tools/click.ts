import { defineTool } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { act, downloadCount, named, result, timeoutOf } from "./common.js";
import { refFields } from "./ref-input.js";

export function clickTool(session: BrowserSession) {
  return defineTool({
    description: "Click an element by its snapshot ref.",
    effect: "external",
    targetKind: "url",
    input: z.object({
      ...refFields,
      button: z.enum(["left", "right", "middle"]).optional(),
      double: z.boolean().optional(),
    }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = await resolve(session, tab, i.ref);
      try {
        await act(
          tab,
          timeoutOf(session),
          ctx.signal,
          () => el.handle.click({ button: i.button ?? "left", count: i.double ? 2 : 1 }),
          downloadCount(session),
        );
      } finally {
        void el.handle.dispose().catch(() => {});
      }
      return result(
        session,
        ctx,
        mark,
        [`Clicked ${named(i.element, i.ref)}; tab ${tab.id} is at ${tab.page.url()}.`],
        { url: tab.page.url(), frame: el.url },
      );
    },
  });
}
