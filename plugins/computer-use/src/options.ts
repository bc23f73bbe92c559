import { UserError } from "@worksite/core";
import { z } from "zod";
import type { Driver } from "./driver.js";
import type { CommandRunner } from "./exec.js";

export const computerOptionsSchema = z
  .object({
    /** Which driver: by platform unless said (x11 also serves a Linux desktop under Xvfb). */
    platform: z.enum(["auto", "x11", "macos"]).default("auto"),
    /** X11 display (":99"); defaults to $DISPLAY. */
    display: z
      .string()
      .regex(/^[\w.-]*:\d+(\.\d+)?$/, "an X display such as :0 or :99")
      .optional(),
    /** Milliseconds to let the screen settle before each screenshot (Anthropic's practice). */
    settleMs: z.number().int().min(0).max(5000).default(300),
    /** Characters typed per command; the kill switch and steering are checked between chunks. */
    typeChunk: z.number().int().min(1).max(200).default(40),
    /** The kill-switch file; defaults to `<state folder>/computer-use/STOP`. */
    stopFile: z.string().min(1).optional(),
  })
  .strict();

export type ComputerOptions = z.input<typeof computerOptionsSchema> & {
  /** For embedders and tests: a driver of your own instead of the platform's. */
  driver?: Driver;
  /** For tests: how the platform driver runs its commands. */
  run?: CommandRunner;
  env?: NodeJS.ProcessEnv;
};

export type ResolvedOptions = z.output<typeof computerOptionsSchema>;

export function parseComputerOptions(options: ComputerOptions): ResolvedOptions {
  const { driver: _d, run: _r, env: _e, ...rest } = options;
  const parsed = computerOptionsSchema.safeParse(rest);
  if (!parsed.success)
    throw new UserError(`computer-use plugin options are not valid: ${z.prettifyError(parsed.error)}`, {
      hint: "see the README of @worksite/plugin-computer-use for its options",
    });
  return parsed.data;
}

/** Limits on what one call may ask for, so a model cannot hold the desktop for minutes or flood it. */
export const LIMITS = {
  maxTextLength: 4000,
  maxRepeat: 20,
  maxClicks: 3,
  maxScroll: 30,
  maxWaitMs: 10_000,
  maxHoldMs: 10_000,
  maxDragPoints: 20,
  maxCoordinate: 20_000,
} as const;
