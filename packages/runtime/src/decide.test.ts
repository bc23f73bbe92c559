import { parseGoal } from "@worksite/core";
import { describe, expect, it } from "vitest";
import type { CallRecord } from "./agents/types.js";
import { decideRound, formatDuration, type RoundFacts } from "./decide.js";
import { failureSignature, type VerificationResult } from "./verify.js";

const goal = (frontmatter = "") => parseGoal(`---\n${frontmatter}\n---\n# Goal\nShip it.\n`, { file: "GOAL.md" });

const passed: VerificationResult = {
  passed: true,
  waiting: false,
  checks: [{ kind: "command", what: "npm test", passed: true, detail: "exit 0" }],
  manual: [],
};
const failed: VerificationResult = {
  passed: false,
  waiting: false,
  checks: [{ kind: "command", what: "npm test", passed: false, detail: "exit 1" }],
  manual: [],
};
const forbiddenCall: CallRecord = {
  tool: "shell.run",
  status: "refused",
  tier: "forbidden",
  message: "refused: rm -rf is forbidden",
};
const deniedByDraftStage: CallRecord = {
  tool: "file.write",
  status: "refused",
  tier: "read-only",
  message: "refused: read-only",
};

function facts(over: Partial<RoundFacts> = {}): RoundFacts {
  return {
    round: 1,
    roundsThisRun: 1,
    startedAt: 0,
    now: 10,
    turn: { summary: "", claimsDone: true, calls: [] },
    verification: passed,
    sameFailureCount: 0,
    changedFiles: [],
    pendingApprovals: 0,
    ...over,
  };
}

describe("deciding where a thread stands after a round", () => {
  const table: {
    when: string;
    goal: string;
    facts: Partial<RoundFacts>;
    state: string;
    stop: boolean;
    reason: RegExp;
  }[] = [
    {
      when: "verification passed and the agent is finished",
      goal: "",
      facts: {},
      state: "done",
      stop: true,
      reason: /^done: verification passed \(1 check\)$/,
    },
    {
      when: "the agent says done but verification failed",
      goal: "",
      facts: { verification: failed, sameFailureCount: 1, failureSummary: "npm test: exit 1" },
      state: "active",
      stop: false,
      reason: /^continuing: verification failed: npm test: exit 1$/,
    },
    {
      when: "verification passed but the agent is not finished",
      goal: "",
      facts: { turn: { summary: "", claimsDone: false, calls: [] } },
      state: "active",
      stop: false,
      reason: /agent is not finished/,
    },
    {
      when: "the same failure reached the limit",
      goal: "pause: { repeatedFailure: 3 }",
      facts: { verification: failed, sameFailureCount: 3, failureSummary: "npm test: exit 1" },
      state: "paused",
      stop: true,
      reason: /^paused: the same failure 3 rounds in a row: npm test: exit 1$/,
    },
    {
      when: "the same failure is still under the limit",
      goal: "pause: { repeatedFailure: 3 }",
      facts: { verification: failed, sameFailureCount: 2 },
      state: "active",
      stop: false,
      reason: /^continuing/,
    },
    {
      when: "a forbidden call was refused",
      goal: "",
      facts: { turn: { summary: "", claimsDone: true, calls: [forbiddenCall] } },
      state: "paused",
      stop: true,
      reason: /^paused: a forbidden action was needed: shell\.run — refused: rm -rf is forbidden$/,
    },
    {
      when: "a forbidden call was refused but the goal says continue",
      goal: "pause: { onForbidden: continue }",
      facts: { turn: { summary: "", claimsDone: true, calls: [forbiddenCall] } },
      state: "done",
      stop: true,
      reason: /^done/,
    },
    {
      when: "a refusal that is not forbidden",
      goal: "",
      facts: { turn: { summary: "", claimsDone: true, calls: [deniedByDraftStage] } },
      state: "done",
      stop: true,
      reason: /^done/,
    },
    {
      when: "a protected path changed, even if all else passed",
      goal: "protect: [migrations/**]",
      facts: { changedFiles: ["src/a.ts", "migrations/001.sql"] },
      state: "paused",
      stop: true,
      reason: /^paused: protected path changed: migrations\/001\.sql \(GOAL\.md protect\)$/,
    },
    {
      when: "only unprotected paths changed",
      goal: "protect: [migrations/**]",
      facts: { changedFiles: ["src/a.ts"] },
      state: "done",
      stop: true,
      reason: /^done/,
    },
    {
      when: "verification passed with an approval pending",
      goal: "",
      facts: { pendingApprovals: 1 },
      state: "waiting",
      stop: true,
      reason: /^waiting: verification passed; 1 action waits/,
    },
    {
      when: "verification failed with an approval pending",
      goal: "",
      facts: { verification: failed, sameFailureCount: 1, pendingApprovals: 2 },
      state: "waiting",
      stop: true,
      reason: /^waiting: 2 actions wait/,
    },
    {
      when: "the goal's round limit is reached",
      goal: "pause: { maxRounds: 3 }",
      facts: { round: 3, verification: failed, sameFailureCount: 1 },
      state: "budget-spent",
      stop: true,
      reason:
        /^budget spent: reached the goal's maximum of 3 rounds; raise `pause.maxRounds` in GOAL.md \(now 3\) to go on$/,
    },
    {
      when: "done in the last allowed round",
      goal: "pause: { maxRounds: 3 }",
      facts: { round: 3 },
      state: "done",
      stop: true,
      reason: /^done/,
    },
    {
      when: "the round limit is reached while an approval waits",
      goal: "pause: { maxRounds: 3 }",
      facts: { round: 3, verification: failed, sameFailureCount: 1, pendingApprovals: 1 },
      state: "budget-spent",
      stop: true,
      reason:
        /^budget spent: reached the goal's maximum of 3 rounds; raise `pause.maxRounds` in GOAL.md \(now 3\) to go on$/,
    },
    {
      when: "the round limit is reached while verification passed and an approval waits",
      goal: "pause: { maxRounds: 3 }",
      facts: { round: 3, pendingApprovals: 1 },
      state: "budget-spent",
      stop: true,
      reason:
        /^budget spent: reached the goal's maximum of 3 rounds; raise `pause.maxRounds` in GOAL.md \(now 3\) to go on$/,
    },
    {
      when: "an approval waits under the round limit",
      goal: "pause: { maxRounds: 3 }",
      facts: { round: 2, pendingApprovals: 1 },
      state: "waiting",
      stop: true,
      reason: /^waiting: verification passed; 1 action waits/,
    },
    {
      when: "the time budget is spent",
      goal: "pause: { budget: 2h }",
      facts: { verification: failed, sameFailureCount: 1, startedAt: 0, now: 7_200_000 },
      state: "budget-spent",
      stop: true,
      reason: /^budget spent: the time budget of 2 h is spent$/,
    },
    {
      when: "the time budget is not spent yet",
      goal: "pause: { budget: 2h }",
      facts: { verification: failed, sameFailureCount: 1, startedAt: 0, now: 7_199_999 },
      state: "active",
      stop: false,
      reason: /^continuing/,
    },
    {
      when: "the run's own round count is reached",
      goal: "",
      facts: { verification: failed, sameFailureCount: 1, roundsThisRun: 2, maxRoundsThisRun: 2 },
      state: "active",
      stop: true,
      reason: /^ran the 2 rounds asked for; verification failed/,
    },
    {
      when: "the agent failed",
      goal: "",
      facts: {
        agentError: "the openai agent failed: could not reach the model endpoint",
        turn: { summary: "", claimsDone: false, calls: [] },
      },
      state: "blocked",
      stop: true,
      reason: /^blocked: the openai agent failed: could not reach the model endpoint$/,
    },
    {
      when: "a protected change beats a forbidden call and a pass",
      goal: "protect: [.env]",
      facts: { changedFiles: [".env"], turn: { summary: "", claimsDone: true, calls: [forbiddenCall] } },
      state: "paused",
      stop: true,
      reason: /protected path changed: \.env/,
    },
  ];

  it.each(table)("$when → $state", (row) => {
    const decision = decideRound(goal(row.goal), facts(row.facts));
    expect(decision.state).toBe(row.state);
    expect(decision.stop).toBe(row.stop);
    expect(decision.reason).toMatch(row.reason);
    expect(decision.reason).not.toContain("\n");
  });

  it("writes durations as a person would", () => {
    expect([300, 90_000, 1_800_000, 7_200_000].map(formatDuration)).toEqual(["300 ms", "90 s", "30 min", "2 h"]);
  });
});

describe("recognising the same failure", () => {
  const result = (detail: string, what = "npm test"): VerificationResult => ({
    passed: false,
    waiting: false,
    checks: [{ kind: "command", what, passed: false, detail }],
    manual: [],
  });

  it("gives the same signature when only timings, counts, ids and temp paths differ", () => {
    const a = failureSignature(result("exit 1 after 132 ms in /tmp/worksite-runtime-abc123/out.log, commit 3f9a2c1d"));
    const b = failureSignature(result("exit 1 after 1407 ms in /tmp/worksite-runtime-zz9/out.log, commit 0be77a2f41"));
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it("tells different failures apart", () => {
    expect(failureSignature(result("exit 1"))).not.toBe(failureSignature(result("exit 1", "npm run lint")));
    expect(failureSignature(result("no file matches"))).not.toBe(failureSignature(result("exit 1")));
  });

  it("has no signature when nothing failed", () => {
    expect(
      failureSignature({
        passed: true,
        waiting: false,
        checks: [{ kind: "command", what: "npm test", passed: true, detail: "exit 0" }],
        manual: [],
      }),
    ).toBeUndefined();
  });
});
