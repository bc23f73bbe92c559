import { defineTool } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { act, named, result, timeoutOf } from "./common.js";
import { refFields } from "./ref-input.js";

export function hoverTool(session: BrowserSession) {
  return defineTool({
    description: "Move the mouse over an element by its snapshot ref.",
    effect: "external",
    targetKind: "url",
    input: z.object(refFields),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = await resolve(session, tab, i.ref);
      try {
        await act(tab, timeoutOf(session), ctx.signal, () => el.handle.hover());
      } finally {
        void el.handle.dispose().catch(() => {});
      }
      return result(session, ctx, mark, [`Hovering over ${named(i.element, i.ref)}.`], { frame: el.url });
    },
  });
}
