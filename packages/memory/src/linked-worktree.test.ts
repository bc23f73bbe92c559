import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { commitHandEdits, handEdits } from "./hand-edits.js";
import { openMemory } from "./store.js";
import { alice, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

/*
 * A worksite in a linked worktree (`git worktree add`): its `.git` is a file naming
 * `<repo>/.git/worktrees/<name>`, and objects and branches live in the common folder.
 * Every run there failed with isomorphic-git's "Could not find <sha>".
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function linkedWorktree() {
  const top = await tempDir();
  dirs.push(top);
  const main = join(top, "main");
  const linked = join(top, "linked");
  gitCli(top, "init", "--quiet", "--initial-branch=main", main);
  await put(main, "src/app.ts", "export {};\n");
  await put(main, "memory/tooling/use-pnpm.md", entryText("use-pnpm"));
  await put(main, "memory/tooling/node-version.md", entryText("node-version"));
  gitCli(main, "add", "-A");
  gitCli(main, "-c", "user.name=A", "-c", "user.email=a@example.test", "commit", "--quiet", "-m", "start");
  gitCli(main, "worktree", "add", "--quiet", "-b", "feature", linked);
  return { main, linked };
}

describe("memory in a linked git worktree", () => {
  for (const gitCliOn of [true, false]) {
    it(`audits, reports and commits hand edits on the worktree's branch (${gitCliOn ? "git CLI" : "isomorphic-git only"})`, async () => {
      const { main, linked } = await linkedWorktree();
      const store = await openMemory({ dir: join(linked, "memory"), author: alice, now: fixedNow, gitCli: gitCliOn });
      expect(store.mode).toBe("parent");
      await put(linked, "memory/tooling/use-pnpm.md", entryText("use-pnpm", {}, "Changed in the worktree."));
      await put(linked, "memory/tooling/new-one.md", entryText("new-one"));
      expect(await handEdits(store)).toEqual([
        { file: "tooling/new-one.md", change: "added" },
        { file: "tooling/use-pnpm.md", change: "modified" },
      ]);
      const report = await auditMemory(store);
      expect(report.findings.filter((f) => f.kind === "uncommitted").map((f) => f.file)).toEqual([
        "tooling/new-one.md",
        "tooling/use-pnpm.md",
      ]);
      const { commit } = await commitHandEdits(store, "worktree edits", alice);
      expect(gitCli(linked, "rev-parse", "HEAD")).toBe(`${commit}\n`);
      expect(gitCli(main, "rev-parse", "feature")).toBe(`${commit}\n`);
      // The main worktree's branch and status are untouched; the linked one is clean.
      expect(gitCli(main, "log", "--format=%s", "main")).toBe("start\n");
      expect(gitCli(main, "status", "--porcelain")).toBe("");
      expect(gitCli(linked, "status", "--porcelain")).toBe("");
      expect(gitCli(linked, "show", "--stat", "--format=%s", "HEAD")).toContain("memory/tooling/new-one.md");
    });
  }
});
