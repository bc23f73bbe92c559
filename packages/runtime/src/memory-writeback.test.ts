import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { acceptProposal, commitHandEdits, diffProposal, openMemory, rejectProposal } from "@worksite/memory";
import { afterAll, describe, expect, it } from "vitest";
import { runThread } from "./run.js";
import { goal, makeWorksite, permissions, removeWorksites } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

const person = { name: "Test Person", email: "test@localhost" };

const mainLog = (dir: string) => execFileSync("git", ["log", "--format=%s", "main"], { cwd: dir, encoding: "utf8" });

async function worksiteWithMemory(name: string): Promise<{ root: string; memoryDir: string }> {
  const step = {
    tool: "memory.write",
    input: {
      topic: "shop",
      name,
      description: `how the cart ${name} works`,
      type: "fact",
      body: "Totals count each item's quantity.",
    },
  };
  const root = await makeWorksite({
    goal: goal(`steps:\n  - ${JSON.stringify(step)}`, "Remember how the cart works."),
    permissions: permissions({ Allow: ["memory.write", "memory.read", "memory.search", "file.read"] }),
  });
  const memoryDir = join(root, "memory");
  // A memory folder with history of its own, as a team would have cloned it.
  const store = await openMemory({ dir: memoryDir, git: "own", author: person });
  await mkdir(join(memoryDir, "shop"), { recursive: true });
  await writeFile(
    join(memoryDir, "shop", "currency.md"),
    "---\nname: currency\ndescription: prices are in dollars\ntype: fact\ncreated: 2026-11-01\nupdated: 2026-11-01\nstatus: active\n---\n\nAll prices are in US dollars.\n",
  );
  await commitHandEdits(store, "seed memory", person);
  return { root, memoryDir };
}

describe("memory written during a run", () => {
  it("lands on the run's proposal branch: diff shows exactly it, accept merges it into the main line", async () => {
    const { root, memoryDir } = await worksiteWithMemory("totals");
    const before = mainLog(memoryDir);
    const result = await runThread({ root, rounds: 1 });
    expect(result.state).toBe("done");

    // The main line did not move; the entry is only on the proposal branch.
    expect(mainLog(memoryDir)).toBe(before);
    const store = await openMemory({ dir: memoryDir, author: person });
    const diff = await diffProposal(store, result.run);
    expect(diff).toContain("+name: totals");
    expect(diff).toContain("+Totals count each item's quantity.");
    expect(diff).not.toContain("currency.md");

    await acceptProposal(store, result.run, person);
    expect(await readFile(join(memoryDir, "shop", "totals.md"), "utf8")).toContain(
      "Totals count each item's quantity.",
    );
    expect(mainLog(memoryDir)).not.toBe(before);
  });

  it("reject drops the proposal and leaves the main line untouched", async () => {
    const { root, memoryDir } = await worksiteWithMemory("discounts");
    const before = mainLog(memoryDir);
    const result = await runThread({ root, rounds: 1 });
    const store = await openMemory({ dir: memoryDir, author: person });
    await rejectProposal(store, result.run, person);
    expect(mainLog(memoryDir)).toBe(before);
    await expect(readFile(join(memoryDir, "shop", "discounts.md"), "utf8")).rejects.toThrow();
    await expect(diffProposal(store, result.run)).rejects.toThrow();
  });
});
