import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { readState, writeState } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import { styler } from "../io.js";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";
import { describeRunEvent } from "./run.js";

/** A thread whose round 1 writes src/a.txt and runs a command that fails; round 2 adds src/b.txt, which verification wants. */
function threadWorksite(): Promise<string> {
  return tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n\n## Owns\n- src/\n",
      "GOAL.md": [
        "---",
        'verify: ["node check.js"]',
        "steps:",
        "  - tool: file.write",
        '    input: { path: src/a.txt, content: "round one" }',
        "    on: first-round",
        "  - tool: shell.run",
        '    input: { command: "node fail.js" }',
        "    on: first-round",
        "  - tool: file.write",
        '    input: { path: src/b.txt, content: "round two" }',
        "    on: verify-failed",
        "---",
        "# Goal",
        "Make the check pass.",
        "",
      ].join("\n"),
      "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run(node)`\n",
      "check.js": "process.exit(require('fs').existsSync('src/b.txt') ? 0 : 1);\n",
      "fail.js": "console.log('one test failed');\nprocess.exit(1);\n",
    },
    "worksite-thread-cli-",
  );
}

const lockFile = (root: string, pid: number) =>
  mkdir(join(root, ".worksite"), { recursive: true }).then(() =>
    writeFile(
      join(root, ".worksite", "lock"),
      `${JSON.stringify({ pid, host: hostname(), run: "run-test-1", started: new Date().toISOString() })}\n`,
    ),
  );

/** The pid of a process that has exited: its lock is nobody's. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

describe("worksite run output", () => {
  it("shows a command that exited non-zero as `exit N`, not ok", async () => {
    const root = await threadWorksite();
    const { code, out } = await runCli(["run"], root);
    expect(code).toBe(0);
    expect(out).toMatch(/^ {2}exit 1 {10} shell\.run {2}\$ node fail\.js/m);
    expect(out).not.toMatch(/^ {2}ok +shell\.run {2}\$ node fail\.js/m);
    expect(out).toMatch(/^ {2}ok +shell\.run {2}\$ node check\.js/m);
    expect(out).toContain("See PROGRESS.md, or: worksite report · worksite status · worksite approvals");
  });

  it("cuts a long message to the terminal's width, and never off a terminal", () => {
    const message = `${"x".repeat(150)}END`;
    const event = { type: "call", round: 1, tool: "file.write", status: "ok", message } as const;
    const plain = styler(false);
    expect(describeRunEvent(event, plain, null)).toContain(message);
    const line = describeRunEvent(event, plain, 80);
    expect(line).toHaveLength(80);
    expect(line.endsWith("…")).toBe(true);
    expect(describeRunEvent(event, plain, 200)).toContain(message);
  });
});

describe("worksite status", () => {
  it("says a live run is running its round, without calling that round interrupted", async () => {
    const root = await threadWorksite();
    await writeState(root, {
      round: 0,
      state: "waiting",
      inProgress: { round: 1, run: "run-test-1", started: new Date().toISOString(), taken: [] },
    });
    await lockFile(root, process.pid);
    const { out } = await runCli(["status"], root);
    expect(out).toMatch(/^state +running \(round 1, run run-test-1\)$/m);
    expect(out).not.toContain("interrupted");
    expect(out).not.toMatch(/^state.*waiting/m);
    const json = JSON.parse((await runCli(["status", "--json"], root)).out);
    expect(json).toMatchObject({
      state: "running",
      recordedState: "waiting",
      running: { run: "run-test-1", round: 1 },
      interruptedRound: null,
    });
  });

  it("says a round left by a run that is gone was interrupted, and how to redo it", async () => {
    const root = await threadWorksite();
    await writeState(root, {
      round: 2,
      state: "active",
      inProgress: { round: 3, run: "run-test-1", started: new Date().toISOString(), taken: [] },
    });
    await lockFile(root, await deadPid());
    const { out } = await runCli(["status"], root);
    expect(out).toMatch(/^state +interrupted in round 3; the next `worksite run` redoes it$/m);
    expect(out).not.toContain("running");
    const json = JSON.parse((await runCli(["status", "--json"], root)).out);
    expect(json).toMatchObject({ running: null, interruptedRound: 3, state: "interrupted", recordedState: "active" });
  });

  it("after Ctrl-C, says the same state in --json as in text, and shows the interruption as the last stop", async () => {
    const root = await threadWorksite();
    const now = Date.now();
    const earlier = {
      round: 1,
      reason: "ran the 1 round asked for; verification failed: node check.js: exit 1",
      at: new Date(now - 60_000).toISOString(),
    };
    await writeState(root, {
      round: 1,
      state: "active",
      lastStop: earlier,
      inProgress: {
        round: 2,
        run: "run-test-1",
        started: new Date(now - 5_000).toISOString(),
        taken: [],
        interruptedAt: new Date(now - 1_000).toISOString(),
      },
    });
    const { out } = await runCli(["status"], root);
    expect(out).toMatch(/^state +interrupted in round 2; the next `worksite run` redoes it$/m);
    expect(out).toMatch(/^last stop +round 2 was interrupted before it finished \(run run-test-1\)$/m);
    expect(out).not.toContain("none yet");
    const json = JSON.parse((await runCli(["status", "--json"], root)).out);
    expect(json).toMatchObject({
      round: 1,
      state: "interrupted",
      recordedState: "active",
      interruptedRound: 2,
      lastStop: { round: 2, interrupted: true },
    });

    // A stop recorded after the interruption (a rollback, say) is the last stop.
    const later = {
      round: 1,
      reason: "rolled back to round 1 by person:alice",
      at: new Date(now + 1_000).toISOString(),
    };
    await writeState(root, {
      round: 1,
      state: "active",
      lastStop: later,
      inProgress: { round: 2, run: "run-test-1", started: new Date(now - 5_000).toISOString(), taken: [] },
    });
    expect((await runCli(["status"], root)).out).toMatch(
      /^last stop +round 1: rolled back to round 1 by person:alice$/m,
    );
  });

  it("says `last stop none yet` only when nothing has stopped", async () => {
    const root = await threadWorksite();
    const { out } = await runCli(["status"], root);
    expect(out).toMatch(/^last stop +none yet$/m);
    expect(JSON.parse((await runCli(["status", "--json"], root)).out)).toMatchObject({
      round: 0,
      state: "active",
      lastStop: null,
    });
  });
});

describe("worksite run when a person must act", () => {
  it("says verification waits for a person's approval, not that it failed", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n",
        "GOAL.md": '---\nverify: ["ls -la"]\n---\n# Goal\nList the files.\n',
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n\n## Confirm\n- `shell.run(ls)`\n",
      },
      "worksite-thread-cli-",
    );
    const { code, out } = await runCli(["run"], root);
    expect(code).toBe(3);
    expect(out).toMatch(/^ {2}verification waits for a person's approval$/m);
    expect(out).not.toContain("verification failed");
    const report = (await runCli(["report"], root)).out;
    expect(report.split("### Blockers\n")[1]!.split("\n\n")[0]).toBe("- none");
    expect(report.split("### Needs a person\n")[1]).toMatch(/^- verification `ls -la` waits for a person's approval$/m);
  });

  it("says how to go on after the goal's maximum of rounds", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n",
        "GOAL.md": '---\nverify: ["node check.js"]\npause: { maxRounds: 2 }\n---\n# Goal\nNever passes.\n',
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n- `shell.run(node)`\n",
        "check.js": "process.exit(1);\n",
      },
      "worksite-thread-cli-",
    );
    const first = await runCli(["run"], root);
    expect(first.code).toBe(4);
    expect(first.out).toContain(
      "budget spent: reached the goal's maximum of 2 rounds; raise `pause.maxRounds` in GOAL.md (now 2) to go on",
    );
    const again = await runCli(["run"], root);
    expect(again.code).toBe(4);
    expect(again.out).toContain("raise `pause.maxRounds` in GOAL.md (now 2) to go on");
  });
});

describe("worksite steer and queue", () => {
  it("tells the person no run is active, and that the next run takes the steering first", async () => {
    const root = await threadWorksite();
    const steered = await runCli(["steer", "fix the test first"], root);
    expect(steered.out).toMatch(
      /^steering sent \(steer-[^)]+\); no run is active now; the next `worksite run` takes it at the start of its first round$/m,
    );
    const queued = await runCli(["queue", "then the README"], root);
    expect(queued.out).toContain("no run is active now; start one with: worksite run");
  });

  it("names the live run that will take the steering", async () => {
    const root = await threadWorksite();
    await lockFile(root, process.pid);
    expect((await runCli(["steer", "fix the test first"], root)).out).toContain(
      "; run run-test-1 takes it at its next safe point",
    );
  });
});

describe("worksite report", () => {
  it("lists the rounds that have a report when asked for one that has none", async () => {
    const root = await threadWorksite();
    await runCli(["run"], root);
    const { code, err } = await runCli(["report", "99"], root);
    expect(code).not.toBe(0);
    expect(err).toContain("no report for round 99");
    expect(err).toContain("rounds with a report: 1–2 (e.g. worksite report 2)");
    expect(err).not.toContain("worksite run");
  });
});

describe("worksite rollback", () => {
  it("rolls back, records it in state, numbers the next round after the last, and offers --undo instead of a hash", async () => {
    const root = await threadWorksite();
    await runCli(["run"], root);
    expect(existsSync(join(root, "src/b.txt"))).toBe(true);
    const elsewhere = join(root, "..");

    const rolled = await runCli(["rollback", "1", "--yes", "-w", root], elsewhere, { WORKSITE_USER: "alice" });
    expect(rolled.code).toBe(0);
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
    const where = root.slice(elsewhere.length + 1);
    expect(rolled.out).toContain(`The next \`worksite run --worksite ${where}\` is round 3 and works from these files`);
    expect(rolled.out).toContain(`put it back with: worksite rollback --undo --worksite ${where}`);
    expect(rolled.out).not.toMatch(/checkpoint [0-9a-f]{10}/);
    expect(await readState(root)).toMatchObject({
      state: "active",
      round: 2,
      lastStop: { round: 1, reason: "rolled back to round 1 by person:alice" },
    });

    const refused = await runCli(["rollback", "--undo"], root);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain("run it again with --yes: worksite rollback --undo --yes");
    const undone = await runCli(["rollback", "--undo", "--yes"], root);
    expect(undone.code).toBe(0);
    expect(await readFile(join(root, "src/b.txt"), "utf8")).toBe("round two");
  });

  it("never restores PERMISSIONS.md: a rule the person added after the round stays, and the list does not name it", async () => {
    const root = await threadWorksite();
    await runCli(["run"], root);
    const tightened = `${await readFile(join(root, "PERMISSIONS.md"), "utf8")}\n## Forbidden\n- \`shell.run(rm)\`\n`;
    await writeFile(join(root, "PERMISSIONS.md"), tightened);

    const rolled = await runCli(["rollback", "1", "--yes"], root);
    expect(rolled.code).toBe(0);
    expect(rolled.err).toContain("Rolling back to round 1 restores 1 file:\n  src/b.txt\n");
    expect(rolled.err).not.toContain("PERMISSIONS.md");
    expect(rolled.out).toContain("restored 1 file to round 1.");
    expect(await readFile(join(root, "PERMISSIONS.md"), "utf8")).toBe(tightened);
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
  });
});
