import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointGitDir, checkpointRef, listCheckpoints, rollbackTo } from "./checkpoint.js";
import { rollbackThread } from "./rollback.js";
import { runThread } from "./run.js";
import { goal, makeWorksite, removeWorksites, runTwoRoundThread, verifyAudit } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

/** Every file under `dir` with its content, to prove a rollback left it alone. */
async function snapshotOf(root: string, dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else out[relative(root, path)] = await readFile(path, "utf8");
    }
  };
  await walk(join(root, dir));
  return out;
}

describe("rolling back to a round", () => {
  it("restores the files of round N and removes files added later, keeping the audit log, evidence and reports", async () => {
    const { root, result } = await runTwoRoundThread();
    expect(result).toMatchObject({ state: "done", rounds: [1, 2] });
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round two");
    expect(await listCheckpoints(root)).toEqual([0, 1, 2]);

    const audit = await readFile(join(root, ".worksite/audit.jsonl"), "utf8");
    const artifacts = await snapshotOf(root, "artifacts");
    const progress = await readFile(join(root, "PROGRESS.md"), "utf8");
    expect(Object.keys(artifacts).length).toBeGreaterThan(0);

    const rolled = await rollbackTo(root, 1);
    expect(rolled.restored.sort()).toEqual(["src/a.txt", "src/b.txt"]);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
    expect(await readFile(join(root, "check.js"), "utf8")).toContain("src/b.txt");

    expect(await readFile(join(root, ".worksite/audit.jsonl"), "utf8")).toBe(audit);
    expect(await snapshotOf(root, "artifacts")).toEqual(artifacts);
    expect(await readFile(join(root, "PROGRESS.md"), "utf8")).toBe(progress);
    expect((await verifyAudit(root)).ok).toBe(true);

    // Round 0 is the worksite as it was before the first round.
    await rollbackTo(root, 0);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("original");
  });

  it("refuses a round that has no checkpoint", async () => {
    const root = await makeWorksite({ goal: goal(`verify: []`) });
    await runThread({ root });
    await expect(rollbackTo(root, 7)).rejects.toThrow("no checkpoint for round 7");
  });
});

describe("what a checkpoint holds", () => {
  it("checkpoints and restores the work's own memory/ and artifacts/ folders below the root (only the worksite's own are left out)", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: file.write
    input: { path: src/memory/notes.txt, content: "changed by round 1" }
  - tool: file.write
    input: { path: src/artifacts/out.txt, content: "changed by round 1" }
`),
      files: {
        "src/memory/notes.txt": "original notes",
        "src/artifacts/out.txt": "original out",
        "memory/entry.md": "the worksite's memory",
      },
    });
    expect((await runThread({ root, rounds: 1 })).rounds).toEqual([1]);
    await writeFile(join(root, "memory/entry.md"), "the worksite's memory, edited since");

    const rolled = await rollbackTo(root, 0);
    expect(rolled.restored.sort()).toEqual(["src/artifacts/out.txt", "src/memory/notes.txt"]);
    expect(rolled.notRestored).toEqual([]);
    expect(await readFile(join(root, "src/memory/notes.txt"), "utf8")).toBe("original notes");
    expect(await readFile(join(root, "src/artifacts/out.txt"), "utf8")).toBe("original out");
    // The worksite's own memory folder has a history of its own: a rollback never touches it.
    expect(await readFile(join(root, "memory/entry.md"), "utf8")).toBe("the worksite's memory, edited since");
  });
});

describe("a nested git repository in the work tree", () => {
  /** What an allowed command could leave on disk: a repository whose config runs a command when git looks inside. */
  function plantRepository(dir: string, marker: string, commit: boolean): void {
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", dir, ...args], {
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "a",
          GIT_AUTHOR_EMAIL: "a@a",
          GIT_COMMITTER_NAME: "a",
          GIT_COMMITTER_EMAIL: "a@a",
        },
      });
    mkdirSync(dir, { recursive: true });
    git("init", "--quiet");
    writeFileSync(join(dir, "inside.txt"), "inside\n");
    if (commit) {
      git("add", "inside.txt");
      git("commit", "--quiet", "-m", "x");
    }
    git("config", "core.fsmonitor", `touch ${marker}; false`);
    git("config", "core.hooksPath", dirname(marker));
  }

  it("is never entered and runs nothing: the next round and a rollback work, and both name what they left out", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: file.write
    input: { path: src/a.txt, content: "written again" }
`),
      files: { "src/a.txt": "original" },
    });
    expect((await runThread({ root, rounds: 1 })).rounds).toEqual([1]);
    const marker = join(root, "..", `${basename(root)}-fsmonitor-ran`);
    plantRepository(join(root, "src/sub"), marker, true);
    plantRepository(join(root, "src/empty"), marker, false); // no commit: `git add` of it used to fail the round

    const next = await runThread({ root, rounds: 1 });
    expect(next.rounds).toEqual([2]);
    expect(existsSync(marker)).toBe(false);
    const report = await readFile(join(root, "PROGRESS.md"), "utf8");
    expect(report).toContain("not checkpointed, so a rollback cannot restore it: src/sub/ (a nested git repository");
    expect(report).toContain("src/empty/");

    // A later change in the nested repository still runs nothing.
    await writeFile(join(root, "src/sub/inside.txt"), "changed\n");
    await writeFile(join(root, "src/a.txt"), "changed by hand");
    const rolled = await rollbackThread(root, 1, "person:test");
    expect(existsSync(marker)).toBe(false);
    expect(rolled.restored).toEqual(["src/a.txt"]);
    expect(rolled.notRestored.map((s) => s.path)).toEqual(["src/empty/", "src/sub/"]);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("written again");
    expect(await readFile(join(root, "src/sub/inside.txt"), "utf8")).toBe("changed\n");
    expect((await runThread({ root, rounds: 1 })).rounds).toEqual([3]);
    expect(existsSync(marker)).toBe(false);
    expect((await verifyAudit(root)).ok).toBe(true);
  });

  it("drops a nested repository an older checkpoint recorded as a gitlink, and still runs nothing", async () => {
    const root = await makeWorksite({ goal: goal(`verify: []`), files: { "src/a.txt": "original" } });
    await runThread({ root, rounds: 1 });
    const marker = join(root, "..", `${basename(root)}-fsmonitor-ran`);
    plantRepository(join(root, "src/sub"), marker, true);
    // As an older worksite left it: the checkpoint index holds src/sub as a gitlink.
    execFileSync(
      "git",
      ["--git-dir", checkpointGitDir(root), "--work-tree", root, "-c", "core.fsmonitor=false", "add", "src/sub"],
      { cwd: root, stdio: "ignore" },
    );
    rmSync(marker, { force: true });

    expect((await runThread({ root, rounds: 1 })).rounds).toEqual([2]);
    expect(existsSync(marker)).toBe(false);
    const tree = execFileSync("git", ["--git-dir", checkpointGitDir(root), "ls-tree", "-r", checkpointRef(2)], {
      encoding: "utf8",
    });
    expect(tree).toContain("src/a.txt");
    expect(tree).not.toContain("src/sub"); // neither the gitlink nor the files inside
  });
});

describe("the checkpoint repository's git", () => {
  it("reads no global or system config of the person's: a global core.fsmonitor or hook runs nothing", async () => {
    const root = await makeWorksite({ goal: goal(`verify: []`), files: { "src/a.txt": "original" } });
    const marker = join(root, "..", `${basename(root)}-global-ran`);
    const global = join(root, "..", `${basename(root)}-gitconfig`);
    writeFileSync(global, `[core]\n\tfsmonitor = "touch ${marker}; false"\n\thooksPath = ${dirname(global)}\n`);
    const saved = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = global;
    try {
      expect((await runThread({ root, rounds: 1 })).rounds).toEqual([1]);
      await rollbackTo(root, 0);
    } finally {
      if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved;
      rmSync(global, { force: true });
    }
    expect(existsSync(marker)).toBe(false);
  });
});
