import type { Gate, GateOutcome } from "@worksite/core";
import { z } from "zod";
import { MAX_CHORDS } from "./keys.js";
import { LIMITS } from "./options.js";

/*
 * OpenAI's computer-use tool sends a `computer_call` holding one `action` or a
 * batch of `actions`. Each becomes its own gate call (its own decision, audit
 * entries, evidence): a batch is never approved or refused as a whole, and
 * the first action that does not run stops the rest of the batch.
 */

const xy = { x: z.number().int(), y: z.number().int() };
const action = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("click"),
    ...xy,
    button: z.enum(["left", "right", "wheel", "back", "forward"]).default("left"),
  }),
  z.object({ type: z.literal("double_click"), ...xy }),
  z.object({ type: z.literal("drag"), path: z.array(z.object(xy)).min(2).max(LIMITS.maxDragPoints) }),
  z.object({ type: z.literal("keypress"), keys: z.array(z.string().min(1).max(32)).min(1).max(8) }),
  z.object({ type: z.literal("move"), ...xy }),
  z.object({ type: z.literal("scroll"), ...xy, scroll_x: z.number().default(0), scroll_y: z.number().default(0) }),
  z.object({ type: z.literal("type"), text: z.string().min(1).max(LIMITS.maxTextLength) }),
  z.object({ type: z.literal("wait"), ms: z.number().int().min(0).max(LIMITS.maxWaitMs).optional() }),
  z.object({ type: z.literal("screenshot") }),
]);
export type OpenAIComputerAction = z.input<typeof action>;

export const computerCallSchema = z
  .object({
    type: z.literal("computer_call"),
    call_id: z.string().optional(),
    action: action.optional(),
    actions: z
      .array(action)
      .max(MAX_CHORDS * 4)
      .optional(),
  })
  .refine((c) => c.action || c.actions?.length, "a computer_call holds an action or a non-empty actions list");

/** OpenAI key names (upper case) → xdotool keysyms. */
const KEY_NAMES: Record<string, string> = {
  CTRL: "ctrl",
  CONTROL: "ctrl",
  SHIFT: "shift",
  ALT: "alt",
  OPTION: "alt",
  CMD: "super",
  META: "super",
  SUPER: "super",
  ENTER: "Return",
  RETURN: "Return",
  ESC: "Escape",
  ESCAPE: "Escape",
  SPACE: "space",
  TAB: "Tab",
  BACKSPACE: "BackSpace",
  DELETE: "Delete",
  ARROWUP: "Up",
  ARROWDOWN: "Down",
  ARROWLEFT: "Left",
  ARROWRIGHT: "Right",
  UP: "Up",
  DOWN: "Down",
  LEFT: "Left",
  RIGHT: "Right",
  HOME: "Home",
  END: "End",
  PAGEUP: "Page_Up",
  PAGEDOWN: "Page_Down",
};

function keysym(key: string): string {
  const named = KEY_NAMES[key.toUpperCase()];
  if (named) return named;
  return key.length === 1 ? key.toLowerCase() : key;
}

/** One OpenAI action as the gate call it becomes: `computer.<tool>` and that tool's input. */
export function toGateCall(a: z.output<typeof action>): { tool: string; input: Record<string, unknown> } {
  switch (a.type) {
    case "click":
      return {
        tool: "computer.click",
        input: { x: a.x, y: a.y, button: a.button === "wheel" ? "middle" : a.button === "right" ? "right" : "left" },
      };
    case "double_click":
      return { tool: "computer.click", input: { x: a.x, y: a.y, clicks: 2 } };
    case "drag":
      return { tool: "computer.drag", input: { path: a.path } };
    case "keypress":
      return { tool: "computer.key", input: { keys: a.keys.map(keysym).join("+") } };
    case "move":
      return { tool: "computer.move", input: { x: a.x, y: a.y } };
    case "scroll": {
      const vertical = Math.abs(a.scroll_y) >= Math.abs(a.scroll_x);
      const delta = vertical ? a.scroll_y : a.scroll_x;
      const direction = vertical ? (delta < 0 ? "up" : "down") : delta < 0 ? "left" : "right";
      // OpenAI gives pixels; a wheel click scrolls about 100 of them in most apps.
      const amount = Math.min(LIMITS.maxScroll, Math.max(1, Math.round(Math.abs(delta) / 100)));
      return { tool: "computer.scroll", input: { x: a.x, y: a.y, direction, amount } };
    }
    case "type":
      return { tool: "computer.type", input: { text: a.text } };
    case "wait":
      return { tool: "computer.wait", input: a.ms === undefined ? {} : { ms: a.ms } };
    case "screenshot":
      return { tool: "computer.screenshot", input: {} };
  }
}

export interface ComputerCallResult {
  /** One outcome per action that reached the gate, in order. */
  outcomes: GateOutcome[];
  /** Index of the action that did not run (refused, waiting, failed); the ones after it were not sent. */
  stoppedAt?: number;
  /** Actions not attempted because an earlier one stopped the batch. */
  skipped: number;
  /** What to tell the model, for `computer_call_output`. */
  message: string;
}

/** Runs a `computer_call` action by action through the gate. Bad input is a clear error, not a throw. */
export async function runComputerCall(
  gate: Pick<Gate, "call">,
  call: unknown,
  options: { actor?: string; signal?: AbortSignal } = {},
): Promise<ComputerCallResult> {
  const parsed = computerCallSchema.safeParse(call);
  if (!parsed.success)
    return { outcomes: [], skipped: 0, message: `not a valid computer_call: ${z.prettifyError(parsed.error)}` };
  const actions = parsed.data.actions ?? [parsed.data.action!];
  const outcomes: GateOutcome[] = [];
  for (const [index, a] of actions.entries()) {
    const { tool, input } = toGateCall(a);
    const outcome = await gate.call({
      tool,
      input,
      ...(options.actor ? { actor: options.actor } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    outcomes.push(outcome);
    if (outcome.status !== "ok") {
      const skipped = actions.length - index - 1;
      const why = ("message" in outcome ? (outcome.message as string | undefined) : undefined) ?? outcome.status;
      return {
        outcomes,
        stoppedAt: index,
        skipped,
        message: `action ${index + 1} of ${actions.length} (${a.type}) did not run: ${why}${skipped ? `; the ${skipped} after it were not sent` : ""}`,
      };
    }
  }
  return { outcomes, skipped: 0, message: `all ${actions.length} actions ran` };
}
