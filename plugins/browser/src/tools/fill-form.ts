import { defineTool, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { refIsSensitive, refOwnerUrl, resolve, type ResolvedRef } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { named, result } from "./common.js";
import { fillText, shownValue } from "./fill.js";
import { refFields } from "./ref-input.js";

const field = z.object({
  ...refFields,
  type: z.enum(["textbox", "checkbox", "radio", "combobox"]).default("textbox"),
  value: z.string().describe('Text, the option for a combobox, or "true"/"false" for a checkbox'),
});

async function setField(el: ResolvedRef, type: z.output<typeof field>["type"], value: string) {
  if (type === "textbox") return fillText(el, value, false);
  if (type === "combobox") {
    const values = await el.handle.evaluate(
      (node, wanted: string) =>
        node instanceof HTMLSelectElement
          ? Array.from(node.options)
              .filter((o) => o.value === wanted || o.label === wanted)
              .map((o) => o.value)
          : [],
      value,
    );
    if (!values.length) throw new WorksiteError("user", `No option ${JSON.stringify(value)} in [${el.ref}].`);
    await el.handle.select(...values);
    return;
  }
  const want = type === "radio" ? true : value === "true";
  const checked = await el.handle.evaluate(
    (node) => (node as HTMLInputElement).checked === true || node.getAttribute("aria-checked") === "true",
  );
  if (checked !== want) await el.handle.click();
}

export function fillFormTool(session: BrowserSession, sensitiveTier: "confirm" | "forbidden" | undefined) {
  return defineTool({
    description:
      "Fill several form fields by their snapshot refs in one call (all in one frame). Password, card and one-time-code fields need a person's confirmation.",
    effect: "external",
    targetKind: "url",
    input: z.object({ fields: z.array(field).min(1).max(100) }),
    target: (i) => refOwnerUrl(session, i.fields[0]?.ref),
    async minimumTier(i) {
      if (!sensitiveTier) return undefined;
      for (const f of i.fields)
        if (f.type === "textbox" && (await refIsSensitive(session, f.ref))) return sensitiveTier;
      return undefined;
    },
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const resolved: ResolvedRef[] = [];
      try {
        for (const f of i.fields) resolved.push(await resolve(session, tab, f.ref));
        // The call was decided on the first field's frame; a field elsewhere would act on an origin nobody checked.
        const frame = resolved[0]?.frame;
        const stray = resolved.find((r) => r.frame !== frame);
        if (stray)
          throw new WorksiteError(
            "user",
            `[${stray.ref}] is in another frame (${stray.url}); fill each frame with its own call.`,
          );
        const lines = ["Filled:"];
        for (const [n, f] of i.fields.entries()) {
          const el = resolved[n] as ResolvedRef;
          await setField(el, f.type, f.value);
          lines.push(
            `- ${named(f.element, f.ref)} = ${f.type === "textbox" ? shownValue(ctx, el, f.value) : JSON.stringify(f.value)}`,
          );
        }
        return result(session, ctx, mark, lines, { frame: resolved[0]?.url, fields: i.fields.length });
      } finally {
        for (const r of resolved) void r.handle.dispose().catch(() => {});
      }
    },
  });
}
