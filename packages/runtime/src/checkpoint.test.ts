import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listCheckpoints, rollbackTo } from "./checkpoint.js";
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
