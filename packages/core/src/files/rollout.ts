import { parseDuration } from "../text/duration.js";
import type { Stage } from "../policy/types.js";

/** What earns a stage's promotion to the next: time spent in it, clean wakes in it, or either (whichever comes first). */
export interface PromotionCondition {
  /** Time in the stage, in ms. */
  afterMs?: number;
  /** Wakes in a row in the stage that ended without an incident. */
  cleanWakes?: number;
  /** As written, for messages. */
  text: string;
}

export interface RolloutPlan {
  /** The order a thread climbs: monitor → draft → write. */
  stages: readonly Stage[];
  earn: Partial<Record<Stage, PromotionCondition>>;
  /** The same verification failing this many wakes in a row is an incident (demotes one stage). */
  sameFailure: number;
}

export const ROLLOUT_STAGES: readonly Stage[] = ["monitor", "draft", "write"];
export const DEFAULT_SAME_FAILURE = 3;

/**
 * `7d`, `10 clean wakes`, `7d or 10 clean wakes` → a condition; a string saying what is wrong otherwise.
 * Issue 16 item 5: the person states what earns the next stage; the scheduler only proposes it.
 */
export function parsePromotionCondition(text: string): PromotionCondition | string {
  const parts = text
    .split(/\s+or\s+|\s*,\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return "is empty";
  const condition: PromotionCondition = { text: text.trim() };
  for (const part of parts) {
    const clean = /^(\d+)\s+clean\s+wakes?$/i.exec(part);
    if (clean) {
      const n = Number(clean[1]);
      if (n < 1) return "a number of clean wakes must be at least 1";
      condition.cleanWakes = n;
      continue;
    }
    const ms = parseDuration(part);
    if (ms !== undefined && ms > 0) {
      condition.afterMs = ms;
      continue;
    }
    return `"${part}" is neither a time such as 7d nor a count such as "10 clean wakes"`;
  }
  return condition;
}
