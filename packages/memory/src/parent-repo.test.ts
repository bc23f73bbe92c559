import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { commitHandEdits, handEdits } from "./hand-edits.js";
import { acceptProposal, diffProposal, writeMemory } from "./proposals.js";
import { openMemory } from "./store.js";
import { alice, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

/** A worksite repository made with the real git CLI, whose memory/ is one of its folders. */
async function worksiteRepo() {
  const root = await tempDir("worksite-");
  gitCli(root, "init", "--quiet", "--initial-branch=main");
  gitCli(root, "config", "user.name", "Lead");
  gitCli(root, "config", "user.email", "lead@example.test");
  await put(root, "src/app.ts", "export {};\n");
  await put(root, "memory/tooling/use-pnpm.md", entryText("use-pnpm"));
  gitCli(root, "add", ".");
  gitCli(root, "commit", "--quiet", "-m", "start");
  return root;
}

describe("a memory folder inside the worksite's repository", () => {
  it("uses the enclosing repository and reports uncommitted edits as warnings only", async () => {
    const root = await worksiteRepo();
    const store = await openMemory({ dir: join(root, "memory"), now: fixedNow, author: alice });
    expect(store).toMatchObject({ mode: "parent", prefix: "memory", root });
    await put(root, "memory/tooling/new.md", entryText("new"));
    await put(root, "src/other.ts", "export const x = 1;\n");
    expect(await handEdits(store)).toEqual([{ file: "tooling/new.md", change: "added" }]);
    const report = await auditMemory(store);
    expect(report.blocking).toBe(false);
    expect(report.findings.map((f) => f.kind)).toContain("uncommitted");
  });

  it("commits only memory files, leaving the person's staged work staged", async () => {
    const root = await worksiteRepo();
    const store = await openMemory({ dir: join(root, "memory"), now: fixedNow, author: alice });
    await writeFile(join(root, "src/app.ts"), "export const staged = true;\n");
    gitCli(root, "add", "src/app.ts");
    await put(root, "memory/tooling/new.md", entryText("new"));
    await commitHandEdits(store, "remember new", alice);
    expect(gitCli(root, "show", "--name-only", "--format=%s", "HEAD").trim().split("\n")).toEqual([
      "remember new",
      "",
      "memory/MEMORY.md",
      "memory/tooling/new.md",
    ]);
    expect(gitCli(root, "status", "--porcelain")).toBe("M  src/app.ts\n");
  });

  it("proposes on a branch of the enclosing repository and accepts without touching other files", async () => {
    const root = await worksiteRepo();
    const store = await openMemory({ dir: join(root, "memory"), now: fixedNow, author: alice });
    await writeFile(join(root, "src/app.ts"), "export const unsaved = 1;\n");
    await writeMemory(
      store,
      { topic: "tooling", name: "tsc", description: "type-check with tsc -b", type: "procedure", body: "npx tsc -b" },
      { run: "r1", actor: "agent" },
    );
    const diff = await diffProposal(store, "r1");
    expect(diff).toMatch(/^diff --git a\/memory\/tooling\/tsc\.md b\/memory\/tooling\/tsc\.md/);
    await acceptProposal(store, "r1", alice);
    expect(await readFile(join(root, "memory/tooling/tsc.md"), "utf8")).toContain("type-check with tsc -b");
    expect(await readFile(join(root, "src/app.ts"), "utf8")).toBe("export const unsaved = 1;\n");
    expect(gitCli(root, "status", "--porcelain")).toBe(" M src/app.ts\n");
  });
});
