import { defineTool } from "@worksite/core";
import { z } from "zod";
import { refIsSensitive, refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { act, downloadCount, named, result, timeoutOf } from "./common.js";
import { fillText, shownValue } from "./fill.js";
import { refFields } from "./ref-input.js";

export function typeTool(session: BrowserSession, sensitiveTier: "confirm" | "forbidden" | undefined) {
  return defineTool({
    description:
      "Type text into an editable element by its snapshot ref, replacing its value. Typing into password, card or one-time-code fields needs a person's confirmation.",
    effect: "external",
    targetKind: "url",
    input: z.object({
      ...refFields,
      text: z.string(),
      submit: z.boolean().optional().describe("Press Enter afterwards"),
      slowly: z.boolean().optional().describe("Type key by key (for pages that react to each key)"),
    }),
    target: (i) => refOwnerUrl(session, i.ref),
    minimumTier: async (i) => (sensitiveTier && (await refIsSensitive(session, i.ref)) ? sensitiveTier : undefined),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = await resolve(session, tab, i.ref);
      try {
        await fillText(el, i.text, i.slowly ?? false);
        if (i.submit)
          await act(
            tab,
            timeoutOf(session),
            ctx.signal,
            () => tab.page.keyboard.press("Enter"),
            downloadCount(session),
          );
      } finally {
        void el.handle.dispose().catch(() => {});
      }
      return result(
        session,
        ctx,
        mark,
        [
          `Typed ${shownValue(ctx, el, i.text)} into ${named(i.element, i.ref)}${i.submit ? " and pressed Enter" : ""}.`,
        ],
        { frame: el.url, sensitive: el.sensitive, url: tab.page.url() },
      );
    },
  });
}
