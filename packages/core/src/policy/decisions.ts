/** Building and combining decisions: strictest wins, floors raise, defaults fill in. */
import { basename } from "node:path";
import type { Effect } from "../plugin/types.js";
import { type Decision, type PermissionsDefaults, type Rule, type Tier, TIERS } from "./types.js";

export function rank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

export function stricter(a: Tier, b: Tier): boolean {
  return rank(a) > rank(b);
}

export function ruleRef(rule: Rule): NonNullable<Decision["rule"]> {
  return { text: rule.text, file: rule.source.file, line: rule.source.line };
}

/** PERMISSIONS.md sits at the worksite root, so its base name is enough in a one-line reason. */
function where(rule: Rule): string {
  return `${basename(rule.source.file)}:${rule.source.line}`;
}

/** The strictest of the matching rules; the first written wins a tie. */
export function fromRules(matched: readonly Rule[], subject: string): Decision | undefined {
  let best: Rule | undefined;
  for (const r of matched) if (!best || stricter(r.tier, best.tier)) best = r;
  if (!best) return undefined;
  const others = matched.length > 1 ? ` (strictest of ${matched.length} matching rules)` : "";
  return {
    tier: best.tier,
    rule: ruleRef(best),
    reason: `${subject}: ${best.tier} by \`${best.text}\` at ${where(best)}${others}`,
    by: "rule",
  };
}

export function fromDefault(defaults: PermissionsDefaults, effect: Effect, subject: string): Decision {
  const tier = defaults[effect];
  return { tier, reason: `${subject}: no rule matches; the default for ${effect} tools is ${tier}`, by: "default" };
}

/** Raise `decision` to at least `tier`, saying why. */
export function atLeast(decision: Decision, tier: Tier, why: string): Decision {
  if (!stricter(tier, decision.tier)) return decision;
  const was = decision.rule
    ? ` (\`${decision.rule.text}\` alone would be ${decision.tier})`
    : ` (otherwise ${decision.tier})`;
  return { tier, reason: `${why}${was}`, by: "built-in" };
}

export function builtIn(tier: Tier, reason: string): Decision {
  return { tier, reason, by: "built-in" };
}

/** The strictest decision; on a tie a rule beats a default (it names something a person wrote), else the first wins. */
/** Among equal tiers, a person's rule explains a decision best, then a built-in protection, then the default. */
function weight(d: Decision): number {
  // The floor first: its refusal says what no rule can change and how a person edits the file.
  return d.by === "floor" ? 3 : d.by === "rule" || (d.by === undefined && d.rule) ? 2 : d.by === "built-in" ? 1 : 0;
}

export function strictestOf(decisions: readonly Decision[]): Decision | undefined {
  let best: Decision | undefined;
  for (const d of decisions)
    if (!best || stricter(d.tier, best.tier) || (d.tier === best.tier && weight(d) > weight(best))) best = d;
  return best;
}
