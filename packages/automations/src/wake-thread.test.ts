import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requestApproval } from "@worksite/core";
import { openSession, readState, writeState } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import { listWakeRecords } from "./records.js";
import { roundRunner } from "./round-runner.js";
import { makeThread, progressRounds, threadWith } from "./test-support/thread.js";
import { wakeThread } from "./wake-thread.js";

const runRound = roundRunner();
const wake = (root: string, key = "wk-00000000000001-local") =>
  wakeThread({ root, scheduledFor: 1, key, now: () => Date.now(), runRound });

describe("a wake never runs a thread that must not run (adversarial)", () => {
  it.each([
    ["paused", /the thread is paused: .*worksite run/],
    ["blocked", /the thread is blocked/],
    ["budget-spent", /the thread is budget-spent/],
    ["done", /the thread is done/],
  ] as const)("a %s thread is skipped with the reason, and no round runs", async (state, reason) => {
    const root = await makeThread({ thread: threadWith("wake: 10s") });
    await writeState(root, {
      ...(await readState(root)),
      state,
      lastStop: { round: 0, reason: "a person said so", at: new Date().toISOString() },
    });
    const record = await wake(root);
    expect(record).toMatchObject({ outcome: "skipped", summary: expect.stringMatching(reason) });
    expect(await progressRounds(root)).toEqual([]);
  });

  it("a thread waiting for a person's approval is skipped until every request is decided", async () => {
    const root = await makeThread({ thread: threadWith("wake: 10s") });
    await writeState(root, { ...(await readState(root)), state: "waiting" });
    await requestApproval(
      root,
      {
        tool: "shell.run",
        input: { command: "deploy" },
        target: "deploy",
        callHash: "a".repeat(64),
        decision: { tier: "confirm", reason: "test" },
        requestedBy: "agent",
      },
      (t) => t,
    );
    expect(await wake(root)).toMatchObject({
      outcome: "skipped",
      summary: "the thread waits for a person (1 approval pending)",
    });
    expect(await progressRounds(root)).toEqual([]);
  });

  it("the same wake delivered twice at once runs one round; delivered again later it runs none", async () => {
    const root = await makeThread({ thread: threadWith("wake: 10s") });
    const both = await Promise.all([wake(root), wake(root)]);
    expect(both.map((r) => r.outcome).sort()).toEqual(["continued", "skipped"]);
    expect(await wake(root)).toMatchObject({ outcome: "continued", round: 1 });
    expect(await progressRounds(root)).toEqual([1]);
    expect((await listWakeRecords(root)).filter((r) => r.outcome !== "skipped")).toHaveLength(1);
  });

  it("the agent cannot forge a wake result: its file tool is refused and its sandboxed command cannot write .worksite/wakes", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s"),
      permissions: "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(**)`\n- `shell.run(sh)`\n",
    });
    await mkdir(join(root, ".worksite", "wakes"), { recursive: true });
    const forged = JSON.stringify({ id: "wk-99999999999999-forged", outcome: "done", summary: "all fine" });
    const session = await openSession({ root, actor: "agent", run: "run-forge", round: 1 });
    try {
      const viaTool = await session.gate.call({
        tool: "file.write",
        input: { path: ".worksite/wakes/wk-99999999999999-forged.json", content: forged },
      });
      expect(viaTool.status).toBe("refused");
      // The gate's floor sees a redirection on the command line; a script hides it, so the OS sandbox must hold.
      const script = await session.gate.call({
        tool: "file.write",
        input: {
          path: "src/forge.sh",
          content: `printf '%s' '${forged}' > .worksite/wakes/wk-99999999999998-forged.json\n`,
        },
      });
      expect(script.status).toBe("ok");
      const viaShell = await session.gate.call({ tool: "shell.run", input: { command: "sh src/forge.sh" } });
      expect(JSON.stringify(viaShell)).toMatch(/Read-only file system|Permission denied/);
    } finally {
      await session.dispose();
    }
    expect(await listWakeRecords(root)).toEqual([]);
    // And a record planted by hand with a broken shape is not shown as a result.
    await writeFile(join(root, ".worksite", "wakes", "wk-99999999999997-x.json"), "{not json");
    expect(await listWakeRecords(root)).toEqual([]);
  });
});
