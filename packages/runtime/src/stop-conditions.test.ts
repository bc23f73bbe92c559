import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { approve, listApprovals, openAuditLog } from "@worksite/core";
import { afterAll, describe, expect, it } from "vitest";
import { runThread, type RunResult } from "./run.js";
import { auditPath } from "./session.js";
import {
  auditEntries,
  goal,
  makeWorksite,
  permissions,
  progressHeadings,
  readState,
  removeWorksites,
  verifyAudit,
  waitFor,
} from "./test-helpers/worksite.js";

afterAll(removeWorksites);

/** Every stop says why in one line, the same line in the result, in state.json and in the round's PROGRESS.md heading. */
async function expectStopRecorded(root: string, result: RunResult, state: string): Promise<void> {
  expect(result.state).toBe(state);
  expect(result.reason).not.toContain("\n");
  const saved = await readState(root);
  expect(saved.state).toBe(state);
  expect(saved.lastStop?.reason).toBe(result.reason);
  expect(saved.lastStop?.round).toBe(result.rounds.at(-1));
  expect(saved.inProgress).toBeUndefined();
  const headings = await progressHeadings(root);
  expect(headings.at(-1)).toBe(`## Round ${result.rounds.at(-1)} — ${result.reason}`);
  expect((await verifyAudit(root)).ok).toBe(true);
}

const CHECK_FIXED =
  "const fs = require('fs');\nprocess.exit(fs.readFileSync('src/a.txt', 'utf8') === 'fixed' ? 0 : 1);\n";
const ALWAYS_FAILS =
  "console.log('failed at ' + Date.now() + ' after ' + Math.random() * 1000 + ' ms');\nprocess.exit(1);\n";

describe("a thread stops when its goal says so", () => {
  it("is done once a fix step makes the verification pass", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node check.js"]
steps:
  - tool: file.write
    input: { path: src/a.txt, content: fixed }
    on: verify-failed
`),
      permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"] }),
      files: { "check.js": CHECK_FIXED, "src/a.txt": "broken" },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1, 2]);
    expect(result.reason).toMatch(/^done: verification passed/);
    await expectStopRecorded(root, result, "done");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("fixed");
    expect((await progressHeadings(root))[0]).toMatch(
      /^## Round 1 — continuing: verification failed: node check.js: exit 1/,
    );
  });

  it("pauses when the same failure repeats N rounds in a row, naming the failure", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node fail.js"]
pause: { repeatedFailure: 2 }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node fail.js)"] }),
      files: { "fail.js": ALWAYS_FAILS },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1, 2]);
    expect(result.reason).toBe("paused: the same failure 2 rounds in a row: node fail.js: exit 1");
    await expectStopRecorded(root, result, "paused");
  });

  it("pauses when a forbidden action was needed, and the action never ran", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
steps:
  - tool: shell.run
    input: { command: "rm -rf build" }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node ok.js)"], Forbidden: ["shell.run(rm -rf)"] }),
      files: { "ok.js": "process.exit(0);\n", "build/keep.txt": "still here" },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1]);
    expect(result.reason).toMatch(/^paused: a forbidden action was needed: shell\.run — /);
    await expectStopRecorded(root, result, "paused");
    expect(existsSync(join(root, "build/keep.txt"))).toBe(true);
  });

  it("pauses when a protected path changed, naming the changed file and not the untouched ones", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
protect: [config/**]
steps:
  - tool: file.write
    input: { path: config/app.json, content: "{}" }
`),
      permissions: permissions({ Allow: ["file.read", "file.write(config/**)", "shell.run(node ok.js)"] }),
      files: { "ok.js": "process.exit(0);\n", "config/untouched.json": "{}" },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1]);
    expect(result.reason).toBe("paused: protected path changed: config/app.json (GOAL.md protect)");
    await expectStopRecorded(root, result, "paused");
  });

  it("does not pause for a protected path that already existed and nothing changed", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
protect: [config/**]
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node ok.js)"] }),
      files: { "ok.js": "process.exit(0);\n", "config/untouched.json": "{}" },
    });
    const result = await runThread({ root });
    expect(result.reason).toMatch(/^done: /);
    await expectStopRecorded(root, result, "done");
  });

  it("waits for a person's approval, then runs exactly the approved call once and is done", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
steps:
  - tool: shell.run
    input: { command: "node release.js" }
    on: first-round
`),
      permissions: permissions({
        Allow: ["file.read", "shell.run(node ok.js)"],
        "Requires confirmation": ["shell.run(node release.js)"],
      }),
      files: {
        "ok.js": "process.exit(0);\n",
        "release.js": "require('fs').appendFileSync('released.txt', 'released\\n');\n",
      },
    });
    const first = await runThread({ root });
    expect(first.rounds).toEqual([1]);
    expect(first.reason).toMatch(/^waiting: .*1 action waits for a person's approval/);
    await expectStopRecorded(root, first, "waiting");
    expect(existsSync(join(root, "released.txt"))).toBe(false);

    const [pending, ...others] = await listApprovals(root, { status: "pending" });
    expect(others).toEqual([]);
    expect(pending!.tool).toBe("shell.run");
    await approve(root, pending!.id, { by: "person:test", audit: openAuditLog(auditPath(root)) });

    const second = await runThread({ root });
    expect(second.rounds).toEqual([2]);
    await expectStopRecorded(root, second, "done");
    expect(await readFile(join(root, "released.txt"), "utf8")).toBe("released\n");
    expect((await listApprovals(root)).map((a) => a.status)).toEqual(["consumed"]);
    const releases = (await auditEntries(root)).filter((e) => e.type === "result" && e.target === "node release.js");
    expect(releases.map((e) => [e.round, e.outcome])).toEqual([[2, "ok"]]);
  });

  it("spends its budget at the goal's maximum number of rounds", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node fail.js"]
pause: { maxRounds: 2 }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node fail.js)"] }),
      files: { "fail.js": ALWAYS_FAILS },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1, 2]);
    expect(result.reason).toBe(
      "budget spent: reached the goal's maximum of 2 rounds; raise `pause.maxRounds` in GOAL.md (now 2) to go on",
    );
    await expectStopRecorded(root, result, "budget-spent");
  });

  it("never starts a round beyond the goal's maximum, even when every round ends waiting for a person", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
pause: { maxRounds: 2 }
steps:
  - tool: shell.run
    input: { command: "node release.js" }
`),
      permissions: permissions({
        Allow: ["file.read", "shell.run(node ok.js)"],
        "Requires confirmation": ["shell.run(node release.js)"],
      }),
      files: { "ok.js": "process.exit(0);\n", "release.js": "process.exit(0);\n" },
    });
    const first = await runThread({ root });
    expect(first).toMatchObject({ rounds: [1], state: "waiting" });
    const second = await runThread({ root });
    expect(second.rounds).toEqual([2]);
    expect(second.reason).toBe(
      "budget spent: reached the goal's maximum of 2 rounds; raise `pause.maxRounds` in GOAL.md (now 2) to go on",
    );
    await expectStopRecorded(root, second, "budget-spent");

    // Another `worksite run` runs nothing at all: no round 3, no tool call, no report.
    const resultsBefore = (await auditEntries(root)).filter((e) => e.type === "result").length;
    const third = await runThread({ root });
    expect(third).toEqual({
      run: third.run,
      state: "budget-spent",
      reason:
        "budget spent: reached the goal's maximum of 2 rounds; raise `pause.maxRounds` in GOAL.md (now 2) to go on",
      rounds: [],
    });
    const state = await readState(root);
    expect(state).toMatchObject({ round: 2, state: "budget-spent", lastStop: { round: 2, reason: third.reason } });
    expect(state.inProgress).toBeUndefined();
    expect((await progressHeadings(root)).map((h) => /^## Round (\d+)/.exec(h)![1])).toEqual(["1", "2"]);
    const entries = await auditEntries(root);
    expect(entries.filter((e) => e.type === "result")).toHaveLength(resultsBefore);
    expect(entries.at(-1)).toMatchObject({
      type: "run",
      round: 3,
      message:
        "round 3 not started: budget spent: reached the goal's maximum of 2 rounds; raise `pause.maxRounds` in GOAL.md (now 2) to go on",
    });
    expect((await verifyAudit(root)).ok).toBe(true);
  });

  it("passes a verify command that needs a person's approval once it is approved: verification itself uses the approval", async () => {
    const root = await makeWorksite({
      goal: goal(`verify: ["node deploy-check.js"]`),
      permissions: permissions({ Allow: ["file.read"], "Requires confirmation": ["shell.run(node deploy-check.js)"] }),
      files: { "deploy-check.js": "require('fs').appendFileSync('checked.txt', 'checked\\n');\n" },
    });
    const first = await runThread({ root });
    expect(first.rounds).toEqual([1]);
    await expectStopRecorded(root, first, "waiting");
    const [pending] = await listApprovals(root, { status: "pending" });
    expect(pending).toMatchObject({ tool: "shell.run", input: { command: "node deploy-check.js" } });
    await approve(root, pending!.id, { by: "person:test", audit: openAuditLog(auditPath(root)) });

    const second = await runThread({ root });
    expect(second.rounds).toEqual([2]);
    expect(second.reason).toMatch(/^done: verification passed \(1 check\)/);
    await expectStopRecorded(root, second, "done");
    expect(await readFile(join(root, "checked.txt"), "utf8")).toBe("checked\n"); // ran once, by verification
    expect((await listApprovals(root)).map((a) => a.status)).toEqual(["consumed"]);
    // Not replayed at the start of the round as an approved call: the report's "Done" has no such call.
    expect(await readFile(join(root, "PROGRESS.md"), "utf8")).not.toContain("approved by person:test");
  });

  it("spends its budget when the goal's time budget runs out", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node slow-fail.js"]
pause: { budget: 300ms }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node slow-fail.js)"] }),
      files: { "slow-fail.js": "setTimeout(() => process.exit(1), 400);\n" },
    });
    const result = await runThread({ root });
    expect(result.rounds).toEqual([1]);
    expect(result.reason).toBe("budget spent: the time budget of 300 ms is spent");
    await expectStopRecorded(root, result, "budget-spent");
  });

  it("stopped by the person mid-round (Ctrl-C), reports nothing false about that round and redoes it next run", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node check.js"]
steps:
  - tool: shell.run
    input: { command: "node long.js" }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node)"] }),
      files: {
        "long.js": "if (process.env.SLOW_STEP) setTimeout(() => {}, 20000);\n",
        "check.js": "process.exit(0);\n",
      },
    });
    const controller = new AbortController();
    process.env.SLOW_STEP = "1"; // read by the step's process, which inherits this one's environment
    let stopped: RunResult;
    try {
      const running = runThread({ root, signal: controller.signal });
      await waitFor(
        async () => (await auditEntries(root)).some((e) => e.type === "decision" && e.target === "node long.js"),
        "the long step to start",
      );
      controller.abort();
      stopped = await running;
    } finally {
      delete process.env.SLOW_STEP;
    }
    expect(stopped.reason).toBe("stopped: round 1 was interrupted before it finished; `worksite run` redoes it");
    expect(stopped.rounds).toEqual([]);
    expect(await progressHeadings(root)).toEqual([]);
    expect((await readState(root)).inProgress?.round).toBe(1);

    const again = await runThread({ root });
    expect(again.rounds).toEqual([1]);
    await expectStopRecorded(root, again, "done");
    expect(await progressHeadings(root)).toHaveLength(1);
  });
});
