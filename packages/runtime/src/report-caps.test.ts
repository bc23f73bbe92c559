import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Agent } from "./agents/types.js";
import { REPORT_LIST_LIMIT } from "./report.js";
import { runThread } from "./run.js";
import { goal, makeWorksite, readProgress, removeWorksites } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

/**
 * An agent that writes straight to disk, as an external command agent (`codex exec`) does:
 * 10,000 files in one round, and as many tool calls in its turn.
 */
const prolificAgent = (files: number): Agent => ({
  name: "prolific",
  async act(context) {
    await mkdir(join(context.root, "src", "gen"), { recursive: true });
    for (let i = 0; i < files; i++)
      await writeFile(join(context.root, "src", "gen", `file-${String(i).padStart(5, "0")}.txt`), `${i}\n`);
    return {
      summary: `wrote ${files} files`,
      claimsDone: false,
      calls: Array.from({ length: files }, (_, i) => ({
        tool: "file.write",
        status: "ok" as const,
        message: `wrote src/gen/file-${i}.txt`,
      })),
    };
  },
});

describe("a round's report with long lists", () => {
  it("adds a bounded section to PROGRESS.md for a round that writes 10,000 files, with the full list as an artifact", async () => {
    const root = await makeWorksite({ goal: goal("verify: []") });
    await runThread({ root, rounds: 1, agent: prolificAgent(10_000) });
    const progress = await readProgress(root);
    expect((await stat(join(root, "PROGRESS.md"))).size).toBeLessThan(20_000);

    const changed = /### Changed files\n([\s\S]*?)\n\n/.exec(progress)![1]!.split("\n");
    expect(changed).toHaveLength(REPORT_LIST_LIMIT + 1);
    const more =
      /^- … and (\d+) more \((\d+) in all; full list: \[(artifacts\/round-1\/changed-files\.md)\]\(\3\)\)$/.exec(
        changed.at(-1)!,
      );
    expect(more?.slice(1, 3)).toEqual([String(10_000 - REPORT_LIST_LIMIT), "10000"]);
    const full = (await readFile(join(root, more![3]!), "utf8")).trim().split("\n");
    expect(full).toHaveLength(10_000);
    expect(full).toContain("- src/gen/file-09999.txt");

    // The agent's 10,000 calls are capped the same way, with their own full list.
    expect(progress).toMatch(/^- … and 9950 more \(10000 in all; full list: \[artifacts\/round-1\/calls\.md\]/m);
    expect((await readFile(join(root, "artifacts/round-1/calls.md"), "utf8")).trim().split("\n")).toHaveLength(10_000);
  }, 120_000);

  it("lists a short round in full, with no count and no extra artifact", async () => {
    const root = await makeWorksite({ goal: goal("verify: []") });
    await runThread({ root, rounds: 1, agent: prolificAgent(3) });
    const progress = await readProgress(root);
    expect(progress).toContain(
      "### Changed files\n- src/gen/file-00000.txt\n- src/gen/file-00001.txt\n- src/gen/file-00002.txt\n\n",
    );
    expect(progress).not.toContain("more (");
    await expect(stat(join(root, "artifacts/round-1/changed-files.md"))).rejects.toThrow(/ENOENT/);
  });
});
