import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { commitHandEdits } from "./hand-edits.js";
import { renderIndex } from "./index-file.js";
import { scanFiles } from "./scan-files.js";
import { cacheDir, openParseCache } from "./parse-cache.js";
import { openMemory } from "./store.js";
import { alice, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

/*
 * Issue 13 item 2: when heads is stamped with HEAD and an edit changes no MEMORY.md row, memory commit
 * keeps MEMORY.md without reading the other rows or .git/index. These tests check it gives the commit
 * the full render gives (and the one isomorphic-git gives, without a git CLI), and that each way MEMORY.md
 * can go stale still regenerates it.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function folder(gitCliOn: boolean) {
  const dir = await tempDir();
  dirs.push(dir);
  for (let i = 0; i < 9; i++) await put(dir, `topic-${i % 3}/entry-${i}.md`, entryText(`entry-${i}`));
  const store = await openMemory({ dir, author: alice, now: fixedNow, gitCli: gitCliOn });
  await commitHandEdits(store, "start", alice);
  gitCli(dir, "status", "--porcelain");
  await auditMemory(store);
  return { dir, store };
}

const head = (dir: string) => gitCli(dir, "rev-parse", "HEAD").trim();
const memoryMd = (dir: string) => readFile(join(dir, "MEMORY.md"), "utf8");

describe("memory commit that changes no MEMORY.md row", () => {
  it("finds heads stamped with HEAD after a commit (the condition of the quick way)", async () => {
    const { dir, store } = await folder(true);
    expect((await openParseCache(store)).stamp()?.commit).toBe(head(dir));
  });

  it("makes the commit the full render makes, with and without a git CLI and without the cache", async () => {
    const cli = await folder(true);
    const js = await folder(false);
    const cold = await folder(true);
    await rm(cacheDir(cold.store), { recursive: true, force: true });
    const ids: string[] = [];
    for (const { dir, store } of [cli, js, cold]) {
      await put(dir, "topic-1/entry-4.md", entryText("entry-4", {}, "A body changed by hand."));
      await put(dir, "topic-2/entry-5.md", entryText("entry-5", {}, "Another body."));
      const before = await memoryMd(dir);
      const done = await commitHandEdits(store, "bodies", alice);
      expect(done.files).toEqual(["topic-1/entry-4.md", "topic-2/entry-5.md"]);
      expect(await memoryMd(dir)).toBe(before);
      expect(gitCli(dir, "status", "--porcelain")).toBe("");
      ids.push(done.commit!);
    }
    expect(new Set(ids).size).toBe(1);
    // The cache was left stamped with the new commit: the next such commit takes the quick way again.
    expect((await openParseCache(cli.store)).stamp()?.commit).toBe(head(cli.dir));
    gitCli(cli.dir, "fsck", "--strict", "--no-dangling");
  });

  it("leaves a cache that gives what the files give: the next commits and audits see every entry as it is", async () => {
    const { dir, store } = await folder(true);
    for (const [i, body] of [
      [4, "one"],
      [5, "two"],
      [4, "three"],
    ] as const) {
      await put(dir, `topic-${i % 3}/entry-${i}.md`, entryText(`entry-${i}`, {}, `Body ${body}.`));
      await commitHandEdits(store, `body ${body}`, alice);
    }
    // A row change after the quick commits: MEMORY.md is rendered from heads' rows, which must all be right.
    await put(dir, "topic-0/entry-6.md", entryText("entry-6", { description: "renamed" }));
    await commitHandEdits(store, "description", alice);
    const warm = await scanFiles(store);
    await rm(cacheDir(store), { recursive: true, force: true });
    const cold = await scanFiles(store);
    expect(warm.map((f) => [f.file, f.oid, f.entry?.meta, f.entry?.body])).toEqual(
      cold.map((f) => [f.file, f.oid, f.entry?.meta, f.entry?.body]),
    );
    expect(await memoryMd(dir)).toBe(renderIndex(cold.flatMap((f) => (f.entry ? [f.entry] : []))));
    expect(await memoryMd(dir)).toContain("renamed");
  });

  it("regenerates MEMORY.md when an edit changes a description, even right after a stamped commit", async () => {
    const { dir, store } = await folder(true);
    await put(dir, "topic-1/entry-4.md", entryText("entry-4", { description: "a new description" }));
    const done = await commitHandEdits(store, "description", alice);
    expect(done.files).toContain("MEMORY.md");
    expect(await memoryMd(dir)).toContain("a new description");
  });

  it("regenerates MEMORY.md when an entry is removed or added", async () => {
    const { dir, store } = await folder(true);
    gitCli(dir, "rm", "--quiet", "topic-2/entry-5.md");
    await put(dir, "topic-9/entry-new.md", entryText("entry-new"));
    const done = await commitHandEdits(store, "remove and add", alice);
    expect(done.files).toContain("MEMORY.md");
    const md = await memoryMd(dir);
    expect(md).toContain("entry-new");
    expect(md).not.toContain("entry-5.md");
  });

  it("regenerates MEMORY.md that a person committed by hand with plain git (HEAD is no longer the stamp's)", async () => {
    const { dir, store } = await folder(true);
    await put(dir, "MEMORY.md", "# Memory\n\nsomething else\n");
    gitCli(dir, "-c", "user.name=A", "-c", "user.email=a@example.test", "commit", "--quiet", "-am", "by hand");
    await put(dir, "topic-1/entry-4.md", entryText("entry-4", {}, "A body changed by hand."));
    const done = await commitHandEdits(store, "body", alice);
    expect(done.files).toContain("MEMORY.md");
    expect(await memoryMd(dir)).not.toContain("something else");
  });

  it("regenerates MEMORY.md that a description committed with plain git left stale", async () => {
    const { dir, store } = await folder(true);
    await put(dir, "topic-0/entry-3.md", entryText("entry-3", { description: "changed behind memory's back" }));
    gitCli(dir, "-c", "user.name=A", "-c", "user.email=a@example.test", "commit", "--quiet", "-am", "by hand");
    await put(dir, "topic-1/entry-4.md", entryText("entry-4", {}, "A body changed by hand."));
    await commitHandEdits(store, "body", alice);
    expect(await memoryMd(dir)).toContain("changed behind memory's back");
  });

  it("regenerates MEMORY.md edited by hand in the working folder", async () => {
    const { dir, store } = await folder(true);
    const want = await memoryMd(dir);
    await put(dir, "MEMORY.md", "# Memory\n\nhand-written\n");
    await put(dir, "topic-1/entry-4.md", entryText("entry-4", {}, "A body changed by hand."));
    const done = await commitHandEdits(store, "body", alice);
    expect(done.files).toContain("MEMORY.md");
    expect(await memoryMd(dir)).toBe(want);
  });
});
