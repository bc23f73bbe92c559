import { defineTool, type Tier, TIERS, type ToolContext, WorksiteError } from "@worksite/core";
import { refFieldsFor } from "@worksite/page";
import { z } from "zod";
import { blockedLines, front, guarded } from "../guard.js";
import { callOn, click, pressKey, release, resolve, type Resolved, typeInto } from "../page-ops.js";
import type { ChromeSession, ChromeTab } from "../session.js";
import { evidence, liveTarget, maskingTurn, siteFloor } from "./common.js";

const refFields = refFieldsFor("chrome.snapshot");
const named = (element: string | undefined, ref: string) => (element ? `${element} [${ref}]` : `[${ref}]`);

/**
 * Is the element behind `ref` a password, card or one-time-code field? Unknown refs are not. The element found for
 * the gate's floor is kept for the call's own run (`found`), so `type` finds it once.
 */
async function refIsSensitive(session: ChromeSession, ref: string): Promise<boolean> {
  const tab = session.peek();
  if (!tab) return false;
  try {
    const el = await resolve(session, tab, ref);
    keep(session, tab, ref, el);
    return el.sensitive;
  } catch {
    return false;
  }
}

/** Elements found for a decision, by tab and ref, with the frame's world they were found in. */
const found = new WeakMap<ChromeTab, Map<string, { el: Resolved; world: Promise<number> | undefined }>>();

function keep(session: ChromeSession, tab: ChromeTab, ref: string, el: Resolved) {
  let refs = found.get(tab);
  if (!refs) found.set(tab, (refs = new Map()));
  const old = refs.get(ref);
  if (old) release(session, tab, old.el);
  refs.set(ref, { el, world: tab.worlds.get(el.frameId) });
}

/**
 * The element behind `ref`: the one the decision found, if its document is still the one it was found in (a
 * navigation drops the frame's world, page-ops.ts), else found now. Elements kept for other refs are let go.
 */
function take(session: ChromeSession, tab: ChromeTab, ref: string): Promise<Resolved> {
  const refs = found.get(tab);
  const kept = refs?.get(ref);
  refs?.delete(ref);
  if (kept && kept.world !== undefined && tab.worlds.get(kept.el.frameId) === kept.world)
    return Promise.resolve(kept.el);
  if (kept) release(session, tab, kept.el);
  return resolve(session, tab, ref);
}

function stricter(a: Tier | undefined, b: Tier | undefined): Tier | undefined {
  if (!a) return b;
  if (!b) return a;
  return TIERS.indexOf(a) >= TIERS.indexOf(b) ? a : b;
}

const shown = (ctx: ToolContext, el: Resolved, value: string) =>
  el.sensitive ? `${value.length} characters (sensitive field, masked)` : JSON.stringify(ctx.redact(value));

export function actionTools(session: ChromeSession) {
  // Input into the person's own, logged-in tabs: only a rule naming the tool allows it (chrome.* does not).
  const common = { effect: "external" as const, targetKind: "url" as const, namedAllowOnly: true };
  const floor = (tool: string) => async (i: { ref?: string }, ctx: ToolContext) =>
    siteFloor(session, `chrome.${tool}`, await liveTarget(session, ctx, i.ref), ctx);

  /** Resolves, runs the action with documents guarded, and leaves the evidence screenshot. */
  async function act(
    ctx: ToolContext,
    tool: string,
    ref: string | undefined,
    action: (el: Resolved | undefined) => Promise<unknown>,
    describe: (el: Resolved | undefined) => string,
  ) {
    const tab = await session.use(ctx);
    const mask = maskingTurn(session, tab);
    let el: Resolved | undefined;
    let out: Awaited<ReturnType<typeof guarded>>;
    try {
      // The element is found while the tab comes to the front and the evidence's mask goes on.
      [el] = await Promise.all([ref ? take(session, tab, ref) : undefined, front(session, tab), mask.prepare()]);
      out = await guarded(
        session,
        tab,
        ctx,
        async () => {
          const done = await action(el);
          mask.shoot();
          return done;
        },
        undefined,
        mask.turn,
      );
    } catch (error) {
      mask.release();
      throw error;
    } finally {
      if (el) release(session, tab, el);
    }
    return evidence(
      session,
      tab,
      ctx,
      tool,
      [describe(el), ...blockedLines(out.blocked, tab)],
      { tab: tab.id, blocked: out.blocked, ...(el ? { sensitive: el.sensitive } : {}) },
      mask.masked(out),
      mask.early(out),
    );
  }

  return {
    click: defineTool({
      ...common,
      description:
        "Click an element of the current shared tab by its snapshot ref. Needs confirmation unless a rule allows chrome.click there.",
      input: z.object({ ...refFields, double: z.boolean().optional() }),
      target: (i, ctx) => liveTarget(session, ctx, i.ref),
      minimumTier: floor("click"),
      run: (i, ctx) =>
        act(
          ctx,
          "click",
          i.ref,
          (el) => click(session, session.peek()!, el!, "left", i.double ? 2 : 1),
          () => `Clicked ${named(i.element, i.ref)}.`,
        ),
    }),
    type: defineTool({
      ...common,
      description:
        "Type text into an editable element by its snapshot ref, replacing its value. Password, card and one-time-code fields always need a person's confirmation, and the value is never written down.",
      input: z.object({
        ...refFields,
        text: z.string(),
        submit: z.boolean().optional().describe("Press Enter afterwards"),
      }),
      target: (i, ctx) => liveTarget(session, ctx, i.ref),
      async minimumTier(i, ctx) {
        const site = await floor("type")(i, ctx);
        return stricter(site, (await refIsSensitive(session, i.ref)) ? "confirm" : undefined);
      },
      run: (i, ctx) =>
        act(
          ctx,
          "type",
          i.ref,
          async (el) => {
            const tab = session.peek()!;
            await typeInto(session, tab, el!, i.text);
            if (i.submit) await pressKey(session, tab, "Enter");
          },
          (el) =>
            `Typed ${shown(ctx, el!, i.text)} into ${named(i.element, i.ref)}${i.submit ? " and pressed Enter" : ""}.`,
        ),
    }),
    fill: defineTool({
      ...common,
      description: "Fill several fields at once by their snapshot refs (each replaces the field's value).",
      input: z.object({
        fields: z
          .array(z.object({ ...refFields, value: z.string() }))
          .min(1)
          .max(50),
      }),
      target: (i, ctx) => liveTarget(session, ctx, i.fields[0]?.ref),
      async minimumTier(i, ctx) {
        let tier = await siteFloor(session, "chrome.fill", await liveTarget(session, ctx, i.fields[0]?.ref), ctx);
        for (const f of i.fields) if (await refIsSensitive(session, f.ref)) tier = stricter(tier, "confirm");
        return tier;
      },
      async run(i, ctx) {
        const tab = await session.use(ctx);
        const lines: string[] = [];
        await front(session, tab);
        const mask = maskingTurn(session, tab);
        const out = await guarded(
          session,
          tab,
          ctx,
          async () => {
            for (const f of i.fields) {
              const el = await take(session, tab, f.ref);
              try {
                await typeInto(session, tab, el, f.value);
                lines.push(`Filled ${named(f.element, f.ref)} with ${shown(ctx, el, f.value)}.`);
              } finally {
                release(session, tab, el);
              }
            }
          },
          undefined,
          mask.turn,
        );
        return evidence(
          session,
          tab,
          ctx,
          "fill",
          [...lines, ...blockedLines(out.blocked, tab)],
          { tab: tab.id },
          mask.masked(out),
        );
      },
    }),
    select: defineTool({
      ...common,
      description: "Choose options in a select element by its snapshot ref; values match an option's label or value.",
      input: z.object({ ...refFields, values: z.array(z.string()).min(1) }),
      target: (i, ctx) => liveTarget(session, ctx, i.ref),
      minimumTier: floor("select"),
      run: (i, ctx) =>
        act(
          ctx,
          "select",
          i.ref,
          async (el) => {
            const chosen = await callOn<string[] | null>(
              session,
              session.peek()!,
              el!.objectId,
              (node: Element, wanted: string[]) => {
                if (!(node instanceof HTMLSelectElement)) return null;
                const values: string[] = [];
                for (const o of Array.from(node.options)) {
                  o.selected = wanted.includes(o.value) || wanted.includes(o.label);
                  if (o.selected) values.push(o.value);
                }
                node.dispatchEvent(new Event("input", { bubbles: true }));
                node.dispatchEvent(new Event("change", { bubbles: true }));
                return values;
              },
              i.values,
            );
            if (chosen === null) throw new WorksiteError("user", `${named(i.element, i.ref)} is not a select element.`);
            if (chosen.length === 0)
              throw new WorksiteError(
                "user",
                `No option of ${named(i.element, i.ref)} matches ${i.values.join(", ")}.`,
              );
          },
          () => `Selected ${i.values.map((v) => JSON.stringify(v)).join(", ")} in ${named(i.element, i.ref)}.`,
        ),
    }),
    press: defineTool({
      ...common,
      description:
        "Press a key or chord (Enter, Escape, ArrowDown, Control+A) in the current shared tab, optionally on an element by its ref.",
      input: z.object({
        key: z.string().min(1),
        ref: z
          .string()
          .regex(/^e\d+$/)
          .optional(),
        element: z.string().min(1).max(200).optional(),
      }),
      target: (i, ctx) => liveTarget(session, ctx, i.ref),
      minimumTier: floor("press"),
      run: (i, ctx) =>
        act(
          ctx,
          "press",
          i.ref,
          async (el) => {
            const tab = session.peek()!;
            if (el) await callOn(session, tab, el.objectId, (node: HTMLElement) => node.focus());
            await pressKey(session, tab, i.key);
          },
          () => `Pressed ${i.key}${i.ref ? ` on ${named(i.element, i.ref)}` : ""}.`,
        ),
    }),
  };
}
