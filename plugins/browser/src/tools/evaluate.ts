import { defineTool, WorksiteError } from "@worksite/core";
import type { ElementHandle, Frame } from "puppeteer-core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result } from "./common.js";

export function evaluateTool(session: BrowserSession) {
  return defineTool({
    description:
      "Run a JavaScript function in the page, `() => …`, or `(element) => …` with a ref. Arbitrary code: needs confirmation unless a rule naming browser.evaluate says otherwise.",
    effect: "external",
    // Code in the page can do anything the page can: a `browser.*` allow rule written for reading pages must not cover it.
    namedAllowOnly: true,
    targetKind: "url",
    input: z.object({
      function: z.string().min(1).max(20_000),
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
      const frame: Frame = el?.frame ?? tab.page.mainFrame();
      let value: unknown;
      try {
        // Evaluated as an expression over CDP, so a page's CSP against eval does not get in the way.
        const fn = await frame.evaluateHandle(`(${i.function})`);
        try {
          value = await fn.evaluate(async (f, node?: ElementHandle | Element) => {
            if (typeof f !== "function") throw new Error("not a function");
            const out = await (f as (n?: unknown) => unknown)(node);
            return out === undefined ? null : JSON.parse(JSON.stringify(out));
          }, el?.handle);
        } finally {
          await fn.dispose().catch(() => {});
        }
      } catch (error) {
        throw new WorksiteError("tool-failed", `The function failed in the page: ${(error as Error).message}`);
      } finally {
        void el?.handle.dispose().catch(() => {});
      }
      const text = JSON.stringify(value, null, 2) ?? "null";
      const cut = text.length > 20_000 ? `${text.slice(0, 20_000)}\n…` : text;
      return result(session, ctx, mark, ["Result:", ctx.untrusted(ctx.redact(cut), frame.url())], {
        value,
        frame: frame.url(),
      });
    },
  });
}
