import { type RunOptions, runThread } from "@worksite/runtime";
import type { RoundRunner } from "./wake-thread.js";

/**
 * The ordinary run loop, one round, as `worksite run --rounds 1 --event schedule` runs it. `extra`
 * carries what the host adds (the CLI's tool endpoint for the command agent, an environment).
 */
export function roundRunner(
  extra: Omit<Partial<RunOptions>, "root" | "rounds" | "signal" | "onEvent"> = {},
): RoundRunner {
  return ({ root, signal, onEvent, event }) =>
    runThread({ event: "schedule", ...extra, ...(event ? { event } : {}), root, rounds: 1, signal, onEvent });
}
