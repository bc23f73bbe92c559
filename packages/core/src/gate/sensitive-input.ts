import type { Tier } from "../policy/types.js";

/*
 * Sensitive input: a tool's `minimumTier` floor marks a call whose input only
 * live state shows to be secret (typing into a password field). The gate then
 * writes none of its values down: stored inputs keep their shape with every
 * string blanked, and free text (targets, errors, drafts, artifacts) has the
 * input's own values scrubbed out. The call hash still binds the live call.
 */

/** What replaces every string of a sensitive call's input wherever the gate writes it down. */
export const SENSITIVE_INPUT = "[REDACTED:sensitive-input]";

export type Scrub = (text: string) => string;
export const keep: Scrub = (text) => text;

export interface Sensitivity {
  /** The tool set a floor for this call: live state says its input is sensitive (a password field). */
  on: boolean;
  /** Takes the input's own values out of free text (a tool's error, a draft's body, an artifact, a target). */
  scrub: Scrub;
}

/**
 * A floor from `minimumTier` is the tool saying "this input is sensitive",
 * even when the rules already asked for as much; the secret scanner cannot
 * tell an ordinary password from ordinary text, so the gate must not try.
 */
export function sensitivity(floor: Tier | undefined, input: unknown): Sensitivity {
  if (floor === undefined || floor === "allow") return { on: false, scrub: keep };
  return { on: true, scrub: literalScrub(input) };
}

/** Every string in a JSON-like value replaced; keys, numbers and booleans keep the record readable. */
export function blankStrings(value: unknown): unknown {
  if (typeof value === "string") return SENSITIVE_INPUT;
  if (Array.isArray(value)) return value.map(blankStrings);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, blankStrings(v)]));
  return value;
}

// Shorter values (a ref like "e12", "on") would mangle unrelated text without hiding anything worth hiding.
const MIN_SCRUBBED = 4;

/** Replace each of the input's strings (longest first, so one inside another cannot leave a piece) wherever it appears. */
function literalScrub(input: unknown): Scrub {
  const values = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= MIN_SCRUBBED) values.add(v);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === "object") Object.values(v).forEach(collect);
  };
  collect(input);
  // A value also appears JSON-escaped inside JSON artifacts (a quote, a backslash, a newline).
  const needles = [...values].flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]).sort((a, b) => b.length - a.length);
  const unique = [...new Set(needles)];
  if (!unique.length) return keep;
  return (text) => unique.reduce((out, needle) => out.split(needle).join(SENSITIVE_INPUT), text);
}
