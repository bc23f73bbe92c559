import { defineTool, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { act, named, result, timeoutOf } from "./common.js";
import { refFields } from "./ref-input.js";

export function selectTool(session: BrowserSession) {
  return defineTool({
    description: "Choose options in a select element by its snapshot ref; values match an option's label or value.",
    effect: "external",
    targetKind: "url",
    input: z.object({ ...refFields, values: z.array(z.string()).min(1) }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = await resolve(session, tab, i.ref);
      try {
        const values = await el.handle.evaluate((node, wanted: string[]) => {
          if (!(node instanceof HTMLSelectElement)) return null;
          return Array.from(node.options)
            .filter((o) => wanted.includes(o.value) || wanted.includes(o.label))
            .map((o) => o.value);
        }, i.values);
        if (values === null) throw new WorksiteError("user", `${named(i.element, i.ref)} is not a select element.`);
        if (values.length === 0)
          throw new WorksiteError("user", `No option of ${named(i.element, i.ref)} matches ${i.values.join(", ")}.`);
        await act(tab, timeoutOf(session), ctx.signal, () => el.handle.select(...values));
        return result(
          session,
          ctx,
          mark,
          [`Selected ${values.map((v) => JSON.stringify(v)).join(", ")} in ${named(i.element, i.ref)}.`],
          { values, frame: el.url },
        );
      } finally {
        void el.handle.dispose().catch(() => {});
      }
    },
  });
}
