import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRoundReport } from "./report.js";
import { canUndoRollback, rollbackThread, undoThreadRollback } from "./rollback.js";
import { runThread } from "./run.js";
import { goal, makeWorksite, permissions, progressHeadings, readState, removeWorksites } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

/** Round 1 writes a.txt; round 2 (after round 1's verification failed) rewrites it and adds b.txt, which makes it pass. */
async function twoRoundThread(): Promise<string> {
  const root = await makeWorksite({
    goal: goal(`
verify: ["node check.js"]
steps:
  - tool: file.write
    input: { path: src/a.txt, content: "round one" }
    on: first-round
  - tool: file.write
    input: { path: src/a.txt, content: "round two" }
    on: verify-failed
  - tool: file.write
    input: { path: src/b.txt, content: "added in round two" }
    on: verify-failed
`),
    permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"] }),
    files: { "src/a.txt": "original", "check.js": "process.exit(require('fs').existsSync('src/b.txt') ? 0 : 1);\n" },
  });
  expect(await runThread({ root })).toMatchObject({ state: "done", rounds: [1, 2] });
  return root;
}

const numbers = async (root: string) => (await progressHeadings(root)).map((h) => Number(/^## Round (\d+)/.exec(h)![1]));

describe("rolling a thread back", () => {
  it("says so in state.json, and the next round is numbered after the last one and works from round N's files", async () => {
    const root = await twoRoundThread();
    const round2 = await readRoundReport(root, 2);

    const rolled = await rollbackThread(root, 1, "person:test");
    expect(rolled.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(rolled.nextRound).toBe(3);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
    const state = await readState(root);
    expect(state).toMatchObject({ state: "active", round: 2, lastStop: { round: 1, reason: "rolled back to round 1 by person:test" }, continuesFrom: { round: 1 } });

    const next = await runThread({ root, rounds: 1 });
    expect(next.rounds).toEqual([3]);
    expect(await numbers(root)).toEqual([1, 2, 3]);
    expect((await readRoundReport(root, 2))?.trimEnd()).toBe(round2?.trimEnd()); // history kept
    // Round 3 changed nothing relative to round 1's files (the rollback itself is not round 3's change).
    expect(await readRoundReport(root, 3)).toContain("### Changed files\n- none\n");
    const after = await readState(root);
    expect(after.round).toBe(3);
    expect(after.continuesFrom).toBeUndefined();
  });

  it("can be undone: the files come back as they were before the rollback, and undoing again redoes it", async () => {
    const root = await twoRoundThread();
    expect(await canUndoRollback(root)).toBe(false);
    await expect(undoThreadRollback(root, "person:test")).rejects.toThrow("there is no rollback to undo");

    await rollbackThread(root, 1, "person:test");
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
    expect(await canUndoRollback(root)).toBe(true);

    const undone = await undoThreadRollback(root, "person:test");
    expect(undone.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round two");
    expect(await readFile(join(root, "src/b.txt"), "utf8")).toBe("added in round two");
    expect(await readState(root)).toMatchObject({ state: "active", round: 2, lastStop: { reason: "undid the last rollback (files as they were before it) by person:test" } });

    await undoThreadRollback(root, "person:test");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
  });
});
