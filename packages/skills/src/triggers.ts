import { matchesGlob } from "./glob.js";
import type { Skill } from "./types.js";

/** What a round is about, as far as choosing skills goes. */
export interface RoundSignals {
  /** The goal, the queued instruction, a steering message: any text the round works from. */
  text?: string;
  /** Files changed since the last round, relative to the worksite. */
  changedFiles?: string[];
  /** Why the round started: `schedule`, `pr-comment`, `manual`, … */
  event?: string;
}

export interface TriggerMatch {
  skill: Skill;
  /** Human-readable reasons, e.g. `keyword "release notes"`, `file CHANGELOG.md matches CHANGELOG.md`. */
  reasons: string[];
}

/** Why a skill applies to this round; empty when it does not. */
export function triggerReasons(skill: Skill, round: RoundSignals): string[] {
  const { keywords, files, events } = skill.sections.triggers;
  const reasons: string[] = [];
  const text = (round.text ?? "").toLowerCase();
  for (const k of keywords) if (k && text.includes(k.toLowerCase())) reasons.push(`keyword "${k}"`);
  for (const glob of files) {
    const hit = (round.changedFiles ?? []).find((f) => matchesGlob(f, glob));
    if (hit) reasons.push(`file ${hit} matches ${glob}`);
  }
  if (round.event && events.some((e) => e.toLowerCase() === round.event!.toLowerCase()))
    reasons.push(`event ${round.event}`);
  // The skill's own name in the round's text is as clear a request as any keyword.
  if (text && new RegExp(`(^|[^a-z0-9-])${skill.name}($|[^a-z0-9-])`).test(text) && !keywords.includes(skill.name))
    reasons.push(`named "${skill.name}"`);
  return reasons;
}

/** The skills whose triggers match this round, in the order given (precedence order). */
export function matchSkills(skills: Skill[], round: RoundSignals): TriggerMatch[] {
  return skills.flatMap((skill) => {
    const reasons = triggerReasons(skill, round);
    return reasons.length > 0 ? [{ skill, reasons }] : [];
  });
}
