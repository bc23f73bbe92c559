import { rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitHandEdits } from "./hand-edits.js";
import { openMemory } from "./store.js";
import { alice, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";
import { hasGitCli } from "./working-status.js";

/*
 * Issue 13 item 2: `memory commit` updates the index by the git CLI when it is installed and by
 * isomorphic-git when not. The same hand edits, committed both ways from identical folders, must give
 * the same commit (tree, parents, clock) and leave git seeing a clean folder either way.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function folder(git: "own" | "parent", gitCli: boolean, packed: boolean) {
  const top = await tempDir();
  dirs.push(top);
  const dir = git === "own" ? top : join(top, "memory");
  if (git === "parent") {
    gitCliIn(top, "init", "--quiet", "--initial-branch=main");
    await put(top, "src/app.ts", "export {};\n");
  }
  for (let i = 0; i < 12; i++) await put(dir, `topic-${i % 3}/entry-${i}.md`, entryText(`entry-${i}`));
  const store = await openMemory({ dir, author: alice, git, now: fixedNow, gitCli });
  await commitHandEdits(store, "start", alice);
  // Packed, as git gc leaves a large memory: the git CLI reads the base trees by git cat-file, isomorphic-git from the pack.
  if (packed) gitCliIn(store.root, "gc", "--quiet");
  if (git === "parent") {
    // The person's own staged work in the enclosing repository, which a memory commit must leave alone.
    await put(top, "src/app.ts", "export const staged = 1;\n");
    gitCliIn(top, "add", "src/app.ts");
  }
  // Edits of every kind: changed, added (in a new topic), deleted.
  await put(dir, "topic-1/entry-4.md", entryText("entry-4", {}, "Changed by hand."));
  await put(dir, "topic-9/entry-new.md", entryText("entry-new"));
  await unlink(join(dir, "topic-2/entry-5.md"));
  return { store, root: store.root };
}

const gitCliIn = (dir: string, ...args: string[]) => gitCli(dir, ...args);

describe("memory commit, by the git CLI and by isomorphic-git", () => {
  it("runs here with both: the git CLI is installed on this machine", () => {
    expect(hasGitCli()).toBe(true);
  });

  for (const [git, packed] of [
    ["own", false],
    ["parent", false],
    ["own", true],
    ["parent", true],
  ] as const) {
    it(`makes the same commit and leaves a clean status either way (memory in a repository of its ${git}${packed ? ", objects packed" : ""})`, async () => {
      const byCli = await folder(git, true, packed);
      const byJs = await folder(git, false, packed);
      if (packed) expect(gitCliIn(byCli.root, "count-objects", "-v")).toMatch(/^in-pack: [1-9]/m);
      const a = await commitHandEdits(byCli.store, "hand edits", alice);
      const b = await commitHandEdits(byJs.store, "hand edits", alice);
      expect(a.files).toEqual(
        ["topic-1/entry-4.md", "topic-2/entry-5.md", "topic-9/entry-new.md", "MEMORY.md"].map((f) =>
          git === "own" ? f : `memory/${f}`,
        ),
      );
      expect(a.commit).toBeDefined();
      expect(b.commit).toBe(a.commit);
      for (const { root } of [byCli, byJs]) {
        expect(gitCliIn(root, "rev-parse", "HEAD")).toBe(`${a.commit}\n`);
        // Only the person's staged file remains: every memory path in the index matches HEAD and the disk.
        expect(gitCliIn(root, "status", "--porcelain")).toBe(git === "own" ? "" : "A  src/app.ts\n");
      }
      expect(gitCliIn(byJs.root, "ls-files", "-s")).toBe(gitCliIn(byCli.root, "ls-files", "-s"));
      // The trees written for the commit (loose-objects.ts) are the ones git itself builds from that index.
      if (git === "own")
        expect(gitCliIn(byCli.root, "write-tree")).toBe(gitCliIn(byCli.root, "rev-parse", "HEAD^{tree}"));
      gitCliIn(byCli.root, "fsck", "--strict", "--no-dangling");
    });
  }
});
