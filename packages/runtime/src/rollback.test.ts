import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changedSince, checkpointGitDir, checkpointRef } from "./checkpoint.js";
import { readRoundReport } from "./report.js";
import { canUndoRollback, rollbackThread, undoThreadRollback } from "./rollback.js";
import { runThread } from "./run.js";
import {
  permissions,
  progressHeadings,
  readState,
  removeWorksites,
  runTwoRoundThread,
} from "./test-helpers/worksite.js";

afterAll(removeWorksites);

async function twoRoundThread(): Promise<string> {
  const { root, result } = await runTwoRoundThread();
  expect(result).toMatchObject({ state: "done", rounds: [1, 2] });
  return root;
}

const numbers = async (root: string) =>
  (await progressHeadings(root)).map((h) => Number(/^## Round (\d+)/.exec(h)![1]));

describe("rolling a thread back", () => {
  it("says so in state.json, and the next round is numbered after the last one and works from round N's files", async () => {
    const root = await twoRoundThread();
    const round2 = await readRoundReport(root, 2);

    const rolled = await rollbackThread(root, 1, "person:test");
    expect(rolled.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(rolled.nextRound).toBe(3);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
    const state = await readState(root);
    expect(state).toMatchObject({
      state: "active",
      round: 2,
      lastStop: { round: 1, reason: "rolled back to round 1 by person:test" },
      continuesFrom: { round: 1 },
    });

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
    expect(await readState(root)).toMatchObject({
      state: "active",
      round: 2,
      lastStop: { reason: "undid the last rollback (files as they were before it) by person:test" },
    });

    await undoThreadRollback(root, "person:test");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
  });
});

describe("the person's contract files and a rollback", () => {
  const tightened = `${permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"] })}\n## Forbidden\n- \`shell.run(rm)\`\n`;

  it("keeps a PERMISSIONS.md, GOAL.md and THREAD.md edited after the round it goes back to, and does not list them as restored", async () => {
    const root = await twoRoundThread();
    const goalText = `${await readFile(join(root, "GOAL.md"), "utf8")}\nA line the person added.\n`;
    const threadText = `${await readFile(join(root, "THREAD.md"), "utf8")}\nA note the person added.\n`;
    await writeFile(join(root, "PERMISSIONS.md"), tightened);
    await writeFile(join(root, "GOAL.md"), goalText);
    await writeFile(join(root, "THREAD.md"), threadText);
    expect(await changedSince(root, 1)).toEqual(expect.not.arrayContaining(["PERMISSIONS.md", "GOAL.md", "THREAD.md"]));

    const rolled = await rollbackThread(root, 1, "person:test");
    expect(rolled.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(await readFile(join(root, "PERMISSIONS.md"), "utf8")).toBe(tightened);
    expect(await readFile(join(root, "GOAL.md"), "utf8")).toBe(goalText);
    expect(await readFile(join(root, "THREAD.md"), "utf8")).toBe(threadText);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");

    // Undoing the rollback does not touch them either.
    const undone = await undoThreadRollback(root, "person:test");
    expect(undone.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(await readFile(join(root, "PERMISSIONS.md"), "utf8")).toBe(tightened);
  });

  it("keeps them even when an older checkpoint repository tracked PERMISSIONS.md", async () => {
    const root = await twoRoundThread();
    // As an older worksite left it: round 1's checkpoint holds the permissive PERMISSIONS.md, and the index tracks it.
    const git = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      execFileSync("git", ["--git-dir", checkpointGitDir(root), "--work-tree", root, ...args], {
        cwd: root,
        env: {
          ...process.env,
          ...env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@t",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@t",
        },
      })
        .toString()
        .trim();
    await writeFile(
      join(root, ".worksite", "checkpoints.git", "info", "exclude"),
      ".worksite/\nartifacts/\nPROGRESS.md\n",
    );
    const blob = git(["hash-object", "-w", "PERMISSIONS.md"]);
    const env = { GIT_INDEX_FILE: join(root, ".worksite", "old-index") };
    git(["read-tree", checkpointRef(1)], env);
    git(["update-index", "--add", "--cacheinfo", `100644,${blob},PERMISSIONS.md`], env);
    const tree = git(["write-tree"], env);
    git(["update-ref", checkpointRef(1), git(["commit-tree", tree, "-m", "old round 1"])]);
    git(["add", "-f", "PERMISSIONS.md"]);

    await writeFile(join(root, "PERMISSIONS.md"), tightened);
    const rolled = await rollbackThread(root, 1, "person:test");
    expect(rolled.restored).not.toContain("PERMISSIONS.md");
    expect(await readFile(join(root, "PERMISSIONS.md"), "utf8")).toBe(tightened);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
    expect(await readFile(join(root, ".worksite", "checkpoints.git", "info", "exclude"), "utf8")).toContain(
      "/PERMISSIONS.md",
    );
  });
});
