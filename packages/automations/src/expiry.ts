import type { Worksite } from "@worksite/core";
import { readWakeState, updateWakeState } from "./records.js";

/** A recurring wake lapses after this unless THREAD.md says otherwise or pins it (issue 16 item 1). */
export const DEFAULT_WAKE_EXPIRY_MS = 30 * 24 * 60 * 60_000;

/**
 * Since when the thread's wake has been on this schedule: kept in its wake state, so a restarted daemon or a
 * second worker counts the same expiry; a changed schedule starts again from now (and is written down).
 */
export async function scheduleSince(root: string, text: string, now: number): Promise<number> {
  const state = await readWakeState(root);
  if (state?.schedule === text) return Date.parse(state.since);
  await updateWakeState(root, text, (s) => s, now);
  return now;
}

/** When the recurring wake lapses; undefined for a one-shot, or when `pinned: true` (in wake: or the whole thread). */
export function wakeExpiresAt(
  worksite: Worksite,
  kind: "interval" | "cron" | "once",
  since: number,
): number | undefined {
  const opts = worksite.thread.wakeOptions;
  if (kind === "once" || opts?.pinned || worksite.thread.pinned) return undefined;
  return since + (opts?.expiresMs ?? DEFAULT_WAKE_EXPIRY_MS);
}

export const expiredWhy = (expiresAt: number) =>
  `the recurring wake expired on ${new Date(expiresAt).toISOString()} (set wake: { expires } or pinned: true)`;
