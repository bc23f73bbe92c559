import { defineTool } from "@worksite/core";
import type { KeyInput } from "puppeteer-core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { act, downloadCount, named, result, timeoutOf } from "./common.js";

export function pressTool(session: BrowserSession) {
  return defineTool({
    description:
      "Press a key or chord (Enter, Escape, ArrowDown, Control+A) in the current tab, optionally on an element by its snapshot ref.",
    effect: "external",
    targetKind: "url",
    input: z.object({
      key: z.string().min(1),
      ref: z
        .string()
        .regex(/^e\d+$/)
        .optional(),
      element: z.string().min(1).max(200).optional(),
    }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = i.ref ? await resolve(session, tab, i.ref) : undefined;
      const parts = i.key.split("+") as KeyInput[];
      const key = parts.pop() as KeyInput;
      try {
        if (el) await el.handle.focus();
        await act(
          tab,
          timeoutOf(session),
          ctx.signal,
          async () => {
            for (const m of parts) await tab.page.keyboard.down(m);
            await tab.page.keyboard.press(key);
            for (const m of parts.reverse()) await tab.page.keyboard.up(m);
          },
          downloadCount(session),
        );
      } finally {
        void el?.handle.dispose().catch(() => {});
      }
      return result(
        session,
        ctx,
        mark,
        [`Pressed ${i.key}${i.ref ? ` on ${named(i.element, i.ref)}` : ""}; tab ${tab.id} is at ${tab.page.url()}.`],
        { url: tab.page.url() },
      );
    },
  });
}
