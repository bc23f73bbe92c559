import { afterAll, describe, expect, it } from "vitest";
import { runThread } from "./run.js";
import { openSession } from "./session.js";
import { threadStanding } from "./standing.js";
import {
  auditEntries,
  goal,
  LONG_STEP,
  makeWorksite,
  permissions,
  readState,
  removeWorksites,
  waitFor,
} from "./test-helpers/worksite.js";
import { writeState } from "./state.js";

afterAll(removeWorksites);

async function threadStatus(root: string) {
  // As MCP and `worksite call` open it: outside any run, so the session's own round is 0.
  const session = await openSession({ root, actor: "mcp:test" });
  try {
    expect(session.round).toBe(0);
    const outcome = await session.gate.call({ tool: "thread.status", input: {} });
    if (outcome.status !== "ok") throw new Error(`thread.status: ${outcome.status} ${outcome.message}`);
    return { run: session.run, content: outcome.result.content, data: outcome.result.data as Record<string, unknown> };
  } finally {
    await session.dispose();
  }
}

describe("thread.status from a session opened outside a run", () => {
  it("reports the thread's round from state.json, not the session's round 0", async () => {
    const root = await makeWorksite({ goal: goal("verify: []") });
    await writeState(root, {
      round: 4,
      state: "waiting",
      lastStop: {
        round: 4,
        reason: "waiting: 1 action waits for a person's approval (worksite approvals)",
        at: new Date().toISOString(),
      },
    });
    const status = await threadStatus(root);
    expect(status.data).toMatchObject({ round: 4, inProgressRound: null, state: "waiting", run: status.run });
    expect(status.content).toContain(`run ${status.run} · round 4 · state waiting`);
    expect(status.content).not.toContain("round 0");
  });

  it("names a round left unfinished by a run that is gone as interrupted", async () => {
    const root = await makeWorksite({ goal: goal("verify: []") });
    await writeState(root, {
      round: 2,
      state: "active",
      inProgress: { round: 3, run: "run-gone", started: new Date().toISOString(), taken: [] },
    });
    const status = await threadStatus(root);
    expect(status.data).toMatchObject({
      round: 2,
      inProgressRound: 3,
      state: "interrupted",
      lastStop: "round 3 was interrupted before it finished (run run-gone)",
    });
    expect(status.content).toContain("round 2 (round 3 interrupted) · state interrupted");
  });
});

describe("where a thread stands after Ctrl-C", () => {
  it("shows the interruption as the last stop, with the time the person stopped it", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: shell.run
    input: { command: ${JSON.stringify(LONG_STEP)} }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node)"] }),
    });
    const earlier = new Date(Date.now() - 60_000).toISOString();
    await writeState(root, {
      round: 1,
      state: "active",
      lastStop: { round: 1, reason: "ran the 1 round asked for; verification passed", at: earlier },
    });
    const controller = new AbortController();
    const running = runThread({ root, signal: controller.signal });
    // Ctrl-C while the round's long step runs: the gate has decided it and logged no result yet.
    await waitFor(async () => {
      const entries = await auditEntries(root);
      return (
        entries.some((e) => e.type === "decision" && e.target === LONG_STEP) &&
        !entries.some((e) => e.type === "result" && e.target === LONG_STEP)
      );
    }, "the long step to start");
    controller.abort();
    await running;
    const state = await readState(root);
    expect(state.inProgress).toMatchObject({ round: 2, interruptedAt: expect.any(String) });

    const standing = threadStanding(state, undefined);
    expect(standing).toMatchObject({
      round: 1,
      state: "interrupted",
      recordedState: "active",
      interruptedRound: 2,
      lastStop: { round: 2, interrupted: true, at: state.inProgress!.interruptedAt },
    });
    expect(standing.lastStop!.reason).toMatch(/^round 2 was interrupted before it finished \(run run-/);

    // A stop recorded after the interruption is the more recent one.
    const later = {
      round: 1,
      reason: "rolled back to round 1 by person:test",
      at: new Date(Date.now() + 60_000).toISOString(),
    };
    expect(threadStanding({ ...state, lastStop: later }, undefined).lastStop).toEqual(later);
  });
});
