import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitHandEdits } from "./hand-edits.js";
import { acceptProposal, diffProposal, forgetMemory, listProposals, rejectProposal, writeMemory } from "./proposals.js";
import { listEntries, searchMemory } from "./search.js";
import { openMemory } from "./store.js";
import { alice, entryText, fakeGithubToken, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

async function folder() {
  const dir = await tempDir();
  await put(dir, "tooling/use-pnpm.md", entryText("use-pnpm"));
  const store = await openMemory({ dir, now: fixedNow, author: alice });
  await commitHandEdits(store, "start", alice);
  return { dir, store };
}

const fact = {
  topic: "tooling",
  name: "vitest-timeout",
  description: "vitest tests time out after 30 s",
  type: "fact" as const,
  body: "Keep tests under 30 s.",
  tags: ["tests"],
};

describe("memory proposals", () => {
  it("commits an agent's write on the run's proposal branch, never on main", async () => {
    const { dir, store } = await folder();
    const main = gitCli(dir, "rev-parse", "main");
    const r = await writeMemory(store, fact, { run: "run-7", actor: "agent" });
    expect(r.ref).toBe("refs/heads/memory/proposals/run-7");
    expect(gitCli(dir, "rev-parse", "main")).toBe(main);
    expect(existsSync(join(dir, "tooling/vitest-timeout.md"))).toBe(false);
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect(gitCli(dir, "log", "-1", "--format=%B", "memory/proposals/run-7")).toContain("run: run-7\nauthor: agent");
    expect((await listProposals(store)).map((p) => [p.run, p.files])).toEqual([
      ["run-7", ["tooling/vitest-timeout.md"]],
    ]);
  });

  it("diffs exactly the proposal against the commit it started from, even after main moved on", async () => {
    const { dir, store } = await folder();
    await writeMemory(store, fact, { run: "run-8", actor: "agent" });
    await forgetMemory(store, "tooling/use-pnpm", "we moved to npm workspaces", { run: "run-8", actor: "agent" });
    // A person edits main meanwhile: that edit must not show up in the run's diff.
    await put(dir, "tooling/hand.md", entryText("hand"));
    await commitHandEdits(store, "hand edit", alice);
    const diff = await diffProposal(store, "run-8");
    expect(diff).not.toContain("hand.md");
    expect(diff).toContain(
      "diff --git a/tooling/vitest-timeout.md b/tooling/vitest-timeout.md\nnew file mode 100644\n--- /dev/null\n+++ b/tooling/vitest-timeout.md\n@@ -0,0 +1,13 @@\n+---\n+name: vitest-timeout\n",
    );
    expect(diff).toContain("-updated: 2025-06-01\n-status: active\n+updated: 2025-07-01\n+status: superseded\n");
    // Same text as the real git CLI prints for that range (ignoring index lines and hunk-header function context).
    const base = gitCli(dir, "merge-base", "main", "memory/proposals/run-8").trim();
    const real = gitCli(dir, "diff", "--no-color", "--no-renames", base, "memory/proposals/run-8")
      .replace(/^index .*\n/gm, "")
      .replace(/^(@@ .* @@).*$/gm, "$1");
    expect(diff).toBe(real);
  });

  it("accept merges the proposal into main, updates the folder and MEMORY.md, and drops the branch", async () => {
    const { dir, store } = await folder();
    await writeMemory(store, fact, { run: "run-9", actor: "agent" });
    const result = await acceptProposal(store, "run-9", alice);
    expect(result.files).toContain("tooling/vitest-timeout.md");
    expect(result.conflicted).toEqual([]);
    expect(await readFile(join(dir, "tooling/vitest-timeout.md"), "utf8")).toContain("source: run:run-9");
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toContain("vitest tests time out after 30 s");
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect(gitCli(dir, "branch", "--list", "memory/*")).toBe("");
    expect(gitCli(dir, "log", "-1", "--format=%s|%an", "main")).toBe("memory: accept proposal of run run-9|Alice\n");
    expect((await searchMemory(store, { tags: ["tests"] })).map((h) => h.id)).toEqual(["tooling/vitest-timeout"]);
  });

  it("reject drops the branch and leaves main byte for byte as it was", async () => {
    const { dir, store } = await folder();
    const main = gitCli(dir, "rev-parse", "main");
    await writeMemory(store, fact, { run: "run-10", actor: "agent" });
    await rejectProposal(store, "run-10", alice);
    expect(gitCli(dir, "rev-parse", "main")).toBe(main);
    expect(gitCli(dir, "branch", "--list", "memory/*")).toBe("");
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    await expect(diffProposal(store, "run-10")).rejects.toThrow(/no memory proposal for run "run-10"/);
  });

  it("two runs that edited the same entry: the second accept keeps both versions, marked conflicted", async () => {
    const { dir, store } = await folder();
    await writeMemory(store, { ...fact, body: "Thirty seconds." }, { run: "a", actor: "agent" });
    await writeMemory(store, { ...fact, body: "Sixty seconds." }, { run: "b", actor: "agent" });
    await acceptProposal(store, "a", alice);
    const second = await acceptProposal(store, "b", alice);
    expect(second.conflicted).toEqual(["tooling/vitest-timeout.md"]);
    const text = await readFile(join(dir, "tooling/vitest-timeout.md"), "utf8");
    expect(text).toContain("status: conflicted");
    expect(text).toMatch(
      /## Version from the main line\n\nThirty seconds\.\n\n## Version from run b\n\nSixty seconds\./,
    );
    expect(text).not.toMatch(/^(<{7}|>{7}|={7})/m);
  });

  it("refuses a secret in an agent's write before anything is committed", async () => {
    const { dir, store } = await folder();
    await expect(
      writeMemory(store, { ...fact, body: `token ${fakeGithubToken}` }, { run: "leak", actor: "agent" }),
    ).rejects.toThrow(/secret \(github-token\)/);
    expect(gitCli(dir, "log", "--all", "--format=%s")).not.toContain("vitest-timeout");
  });

  it("with autoAccept, writes land on main and in the folder at once", async () => {
    const { dir, store } = await folder();
    await writeMemory(store, fact, { run: "auto", actor: "agent", autoAccept: true });
    expect(gitCli(dir, "log", "-1", "--format=%B", "main")).toContain(
      "memory: write tooling/vitest-timeout.md\n\nrun: auto\nauthor: agent",
    );
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect((await listEntries(store)).map((e) => e.id)).toContain("tooling/vitest-timeout");
  });
});
