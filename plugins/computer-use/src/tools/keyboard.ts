import { defineTool, scanSecrets } from "@worksite/core";
import { z } from "zod";
import { keysSchema } from "../keys.js";
import { LIMITS } from "../options.js";
import type { ComputerSession } from "../session.js";
import { aimed, evidence, inputResult, interruptibleWait } from "./common.js";

/** Typed text the secret scanner flags: never written down, and a person confirms the call. */
export function typedSecret(text: string): boolean {
  return scanSecrets(text).length > 0;
}

export function typeTool(session: ComputerSession) {
  const input = z.object({ text: z.string().min(1).max(LIMITS.maxTextLength) }).strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.type", () => ({ focused: true }));
  return defineTool({
    description:
      "Type text into the window that has keyboard focus (click into a field first). Text the secret scanner flags needs a person's confirmation and is never written to the audit log, approvals or artifacts.",
    effect: "external",
    input,
    target: hooks.target,
    async minimumTier(i, ctx) {
      const floor = await hooks.minimumTier(i, ctx);
      if (floor) return floor;
      // A floor marks the call sensitive: the gate then writes none of its strings down (gate/sensitive-input.ts).
      return typedSecret(i.text)
        ? { tier: "confirm", reason: "the text looks like a secret (a key, token or password)" }
        : undefined;
    },
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      const driver = await session.driver();
      const chunk = session.options.typeChunk;
      // In chunks, as Anthropic's reference does: the kill switch and steering stop typing between them.
      for (let at = 0; at < i.text.length; at += chunk) {
        session.assertLive(ctx);
        await driver.type(i.text.slice(at, at + chunk));
      }
      const secret = typedSecret(i.text);
      const shot = await evidence(session, ctx, "type", window, {
        ...(secret ? { withhold: "the typed text looks like a secret and may show on screen" } : {}),
      });
      return inputResult(`Typed ${i.text.length} characters into ${window?.app ?? "no window"}.`, shot, window, {
        characters: i.text.length,
      });
    },
  });
}

export function keyTool(session: ComputerSession) {
  const input = z
    .object({
      keys: keysSchema.describe('xdotool syntax: "Return", "ctrl+s", "ctrl+shift+t", several separated by spaces'),
      repeat: z.number().int().min(1).max(LIMITS.maxRepeat).default(1),
      holdMs: z
        .number()
        .int()
        .min(0)
        .max(LIMITS.maxHoldMs)
        .optional()
        .describe("hold the keys down this long instead of tapping them (hold_key)"),
    })
    .strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.key", () => ({ focused: true }));
  return defineTool({
    description:
      'Press a key or chord in the window that has keyboard focus, in xdotool syntax ("Return", "ctrl+a", "alt+F4"); `holdMs` holds it down.',
    effect: "external",
    input,
    ...hooks,
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      const driver = await session.driver();
      const chords = i.keys.trim().split(/\s+/);
      if (i.holdMs !== undefined) {
        await driver.keyDown(chords);
        try {
          await interruptibleWait(session, ctx, i.holdMs);
        } finally {
          await driver.keyUp([...chords].reverse());
        }
      } else {
        for (let n = 0; n < i.repeat; n++) {
          session.assertLive(ctx);
          await driver.key(chords, 1);
        }
      }
      const shot = await evidence(session, ctx, "key", window);
      const times = i.repeat > 1 ? ` ${i.repeat} times` : "";
      return inputResult(
        `Pressed ${i.keys}${i.holdMs !== undefined ? ` for ${i.holdMs} ms` : times} in ${window?.app ?? "no window"}.`,
        shot,
        window,
      );
    },
  });
}
