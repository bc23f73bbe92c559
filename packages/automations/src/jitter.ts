import { createHash } from "node:crypto";

/** The most a wake moves: 10% of its period, never more than this (issue 16: ≤10% of the period, capped). */
export const JITTER_CAP_MS = 5 * 60_000;

/**
 * A fixed offset per thread (a hash of its key), so a thousand threads on one schedule spread out,
 * and the same thread always wakes at the same point of its period: predictable, not random.
 */
export function jitterFor(key: string, periodMs: number | undefined): number {
  if (!periodMs || periodMs <= 0) return 0;
  const fraction = createHash("sha256").update(key).digest().readUInt32BE(0) / 2 ** 32;
  return Math.floor(fraction * Math.min(periodMs * 0.1, JITTER_CAP_MS));
}
