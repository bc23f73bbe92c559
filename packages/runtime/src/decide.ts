import { basename } from "node:path";
import type { GoalFile, PauseConditions } from "@worksite/core";
// Subpaths: the standing state (and so `worksite status`) uses formatDuration from here.
import { plural } from "@worksite/core/messages";
import { globMatches } from "@worksite/core/policy";
import { DEFAULT_PENDING_APPROVALS } from "@worksite/core/records";
import type { AgentTurn } from "./agents/types.js";
import type { GoalState } from "./state.js";
import type { VerificationResult } from "./verify.js";

export interface RoundFacts {
  round: number;
  /** Rounds run in this `worksite run`, and the cap it was given. */
  roundsThisRun: number;
  maxRoundsThisRun?: number;
  startedAt: number;
  now: number;
  turn: AgentTurn;
  verification: VerificationResult;
  /** How many rounds in a row the same failure signature has been seen, counting this one. */
  sameFailureCount: number;
  failureSummary?: string;
  changedFiles: string[];
  pendingApprovals: number;
  /** The run's id, for the bulk-deny hint when too many requests wait. */
  run?: string;
  /** The agent could not work this round (it threw): what went wrong, in one line. */
  agentError?: string;
}

export interface RoundDecision {
  state: GoalState;
  /** One line: why the thread stopped or goes on. */
  reason: string;
  /** Stop this run (every state but active, or the run's round cap reached). */
  stop: boolean;
}

/** The goal's stop conditions, in the order a person would want them checked. */
export function decideRound(goal: GoalFile, facts: RoundFacts): RoundDecision {
  const protectedChange = facts.changedFiles.filter((f) =>
    goal.protect.some((g) => globMatches(g, f, { separator: "/" })),
  );
  if (protectedChange.length) {
    return {
      state: "paused",
      stop: true,
      reason: `paused: protected path changed: ${protectedChange.join(", ")} (GOAL.md protect)`,
    };
  }
  const forbidden = facts.turn.calls.find((c) => c.status === "refused" && c.tier === "forbidden");
  if (forbidden && goal.pause.onForbidden === "pause") {
    return {
      state: "paused",
      stop: true,
      reason: `paused: a forbidden action was needed: ${forbidden.tool} — ${forbidden.message}`,
    };
  }
  if (facts.agentError) {
    return { state: "blocked", stop: true, reason: `blocked: ${facts.agentError}` };
  }
  if (facts.verification.passed && facts.turn.claimsDone && facts.pendingApprovals === 0) {
    return {
      state: "done",
      stop: true,
      reason: `done: verification passed (${plural(facts.verification.checks.length, "check")})${facts.verification.manual.length ? `; ${plural(facts.verification.manual.length, "manual check")} for a person` : ""}`,
    };
  }
  const limit = goal.pause.repeatedFailure;
  if (limit && facts.sameFailureCount >= limit) {
    return {
      state: "paused",
      stop: true,
      reason: `paused: the same failure ${facts.sameFailureCount} rounds in a row: ${facts.failureSummary ?? "verification failed"}`,
    };
  }
  // Before "waiting": a thread that waits every round would otherwise run past its maximum one `worksite run` at a time.
  if (goal.pause.maxRounds !== undefined && facts.round >= goal.pause.maxRounds) {
    return {
      state: "budget-spent",
      stop: true,
      reason: maxRoundsReason(goal.pause.maxRounds, goal.pause.maxRoundsFrom),
    };
  }
  // At the cap the gate files no more requests: the run pauses, and the person sees the first ones first (issue 20 item 5).
  const cap = goal.pause.pendingApprovals ?? DEFAULT_PENDING_APPROVALS;
  if (facts.pendingApprovals >= cap) {
    const denyAll = facts.run ? `worksite deny --run ${facts.run}` : "worksite deny --run RUN";
    return {
      state: "paused",
      stop: true,
      reason: `paused: ${facts.pendingApprovals} actions wait for a person's approval, the most one run may ask for (GOAL.md \`pause: { pendingApprovals: ${cap} }\`); decide them in the order asked with \`worksite approvals\`, or deny them all with \`${denyAll}\``,
    };
  }
  if (facts.pendingApprovals > 0) {
    const passed = facts.verification.passed && facts.turn.claimsDone ? "verification passed; " : "";
    return {
      state: "waiting",
      stop: true,
      reason: `waiting: ${passed}${plural(facts.pendingApprovals, "action")} ${facts.pendingApprovals === 1 ? "waits" : "wait"} for a person's approval (worksite approvals)`,
    };
  }
  if (goal.pause.budgetMs !== undefined && facts.now - facts.startedAt >= goal.pause.budgetMs) {
    return {
      state: "budget-spent",
      stop: true,
      reason: `budget spent: the time budget of ${formatDuration(goal.pause.budgetMs)} is spent`,
    };
  }
  const why = facts.verification.passed
    ? "verification passed but the agent is not finished"
    : facts.verification.waiting && !facts.failureSummary
      ? "verification waits for a person's approval"
      : `verification failed: ${facts.failureSummary ?? "see the report"}`;
  if (facts.maxRoundsThisRun !== undefined && facts.roundsThisRun >= facts.maxRoundsThisRun) {
    return {
      state: "active",
      stop: true,
      reason: `ran the ${plural(facts.maxRoundsThisRun, "round")} asked for; ${why}`,
    };
  }
  return { state: "active", stop: false, reason: `continuing: ${why}` };
}

/**
 * Say the way on: a person reading only this line (`worksite run`'s last) should not have to guess the setting,
 * nor look for a `pause.maxRounds` they never wrote when the limit came from a prose line. The line starts with
 * "budget spent", the word `worksite status` shows for this state (issue 12).
 */
export function maxRoundsReason(maxRounds: number, from?: PauseConditions["maxRoundsFrom"]): string {
  const reached = `budget spent: reached the goal's maximum of ${maxRounds} rounds`;
  if (from?.text !== undefined)
    return `${reached}; it comes from ${basename(from.source.file)}:${from.source.line} "${from.text}": raise the number there to go on`;
  return `${reached}; raise \`pause.maxRounds\` in GOAL.md (now ${maxRounds}) to go on`;
}

/** 300 ms, 90 s, 30 min, 2 h: as a person would have written it in GOAL.md. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
