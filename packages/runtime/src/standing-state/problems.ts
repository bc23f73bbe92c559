import type { CallRecord } from "../agents/types.js";
import type { VerificationResult } from "../verify.js";

/** One blocker of a round, with the key that tells it is the same blocker in a later round. */
export interface RoundBlocker {
  key: string;
  text: string;
  /** check: a verification check (closed only when it passes); call, note: closed when a round no longer has it. */
  kind: "check" | "call" | "note";
}

/** A problem of the thread: open from the round it first appeared until a round resolves it or a person closes it. */
export interface Problem {
  id: string;
  key: string;
  kind: RoundBlocker["kind"];
  text: string;
  firstRound: number;
  lastSeenRound: number;
  closed?: { round?: number; how: string; by: string; at: string; audit?: number };
}

/** Digits and spacing vary between rounds (times, pids, counts); the blocker is the same. */
function normalise(text: string): string {
  return text.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim().slice(0, 160);
}

/** The round's blockers as the report lists them: failed checks, refused or failed calls, problems around the agent. */
export function roundBlockers(
  verification: VerificationResult,
  calls: CallRecord[],
  problems: string[],
): RoundBlocker[] {
  const out: RoundBlocker[] = [];
  for (const c of verification.checks.filter((c) => !c.passed && !c.waiting))
    out.push({ key: `check:${c.what}`, kind: "check", text: `${c.what}: ${c.detail}` });
  for (const c of calls.filter((c) => c.status === "refused" || c.status === "error"))
    out.push({
      key: `call:${c.tool}:${normalise(c.message)}`,
      kind: "call",
      text: `${c.tool} ${c.status}: ${c.message}`,
    });
  for (const p of problems) out.push({ key: `note:${normalise(p)}`, kind: "note", text: p });
  return out.filter((b, i) => out.findIndex((o) => o.key === b.key) === i);
}

export interface TrackInput {
  round: number;
  blockers: RoundBlocker[];
  /** The `what` of every check that passed this round. */
  passedChecks: string[];
  at: string;
}

/**
 * Carries problems from round to round. A blocker seen again stays the same problem (its first round
 * kept); a check's problem closes only when the check passes; any other closes when a round no longer has it.
 */
export function trackProblems(
  previous: Problem[],
  next: number,
  input: TrackInput,
): { problems: Problem[]; nextId: number } {
  let counter = next;
  const problems = previous.map((p) => ({ ...p }));
  for (const blocker of input.blockers) {
    const open = problems.find((p) => !p.closed && p.key === blocker.key);
    if (open) {
      open.lastSeenRound = input.round;
      open.text = blocker.text;
      continue;
    }
    problems.push({
      id: `P${counter++}`,
      key: blocker.key,
      kind: blocker.kind,
      text: blocker.text,
      firstRound: input.round,
      lastSeenRound: input.round,
    });
  }
  const seen = new Set(input.blockers.map((b) => b.key));
  for (const p of problems) {
    if (p.closed || seen.has(p.key)) continue;
    const what = p.key.slice("check:".length);
    if (p.kind === "check") {
      if (input.passedChecks.includes(what))
        p.closed = { round: input.round, how: `passed in round ${input.round}`, by: "runtime", at: input.at };
      continue;
    }
    p.closed = { round: input.round, how: `not seen in round ${input.round}`, by: "runtime", at: input.at };
  }
  return { problems, nextId: counter };
}

/** How many rounds a problem has been open, counting the round it appeared in. */
export function roundsOpen(problem: Problem, currentRound: number): number {
  const until = problem.closed?.round !== undefined ? problem.closed.round - 1 : currentRound;
  return Math.max(1, until - problem.firstRound + 1);
}
