import { existsSync } from "node:fs";
import { rm, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitHandEdits } from "./hand-edits.js";
import { openMemory } from "./store.js";
import { entryText, gitCli, put, tempDir } from "./test-helpers/fixtures.js";
import { changesByGitCli, changesByIndex, hasGitCli } from "./working-status.js";

/*
 * Issue 13 item 2: memory status by the git CLI when it is installed, by the
 * index's stat cache (isomorphic-git) when it is not. Both run here on the
 * same folders and must give the same answer, for every kind of hand edit.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const person = { name: "Tester", email: "tester@example.test" };

async function committedFolder(git: "own" | "parent") {
  const top = await tempDir();
  dirs.push(top);
  const dir = git === "own" ? top : join(top, "memory");
  if (git === "parent") {
    gitCli(top, "init", "--quiet", "--initial-branch=main");
    await put(top, "src/app.ts", "export {};\n");
  }
  for (let i = 0; i < 30; i++) await put(dir, `topic-${i % 3}/entry-${i}.md`, entryText(`entry-${i}`));
  const store = await openMemory({ dir, author: person, git });
  await commitHandEdits(store, "start", person);
  return { store, dir, root: store.root };
}

const both = async (store: Awaited<ReturnType<typeof committedFolder>>["store"]) => {
  const [byCli, byIndex] = [await changesByGitCli(store), await changesByIndex(store)];
  expect(byIndex).toEqual(byCli);
  return byCli.map((e) => `${e.change} ${e.file}`);
};

describe("memory status, by the git CLI and by the index's stat cache", () => {
  it("runs here with both: the git CLI is installed on this machine", () => {
    expect(hasGitCli()).toBe(true);
  });

  for (const git of ["own", "parent"] as const) {
    it(`agree on a clean folder and on every kind of hand edit (memory in a repository of its ${git === "own" ? "own" : "parent"})`, async () => {
      const { store, dir, root } = await committedFolder(git);
      expect(await both(store)).toEqual([]);

      await writeFile(join(dir, "topic-0/entry-0.md"), entryText("entry-0", {}, "Changed by hand."));
      await put(dir, "topic-9/new.md", entryText("new"));
      await unlink(join(dir, "topic-1/entry-1.md"));
      // Same size, same second: only the content tells (the racy case the stat cache must not trust).
      const text = entryText("entry-2");
      await writeFile(join(dir, "topic-2/entry-2.md"), text.replace("About", "Abuot"));
      // Touched, content unchanged: the stat changed, the blob did not.
      await utimes(join(dir, "topic-0/entry-3.md"), new Date(), new Date(Date.now() + 5000));
      // Ignored by .gitignore, still a hand edit; a dot folder is not memory.
      await writeFile(join(root, ".gitignore"), "scratch/\n");
      await put(dir, "scratch/idea.md", entryText("idea"));
      await put(dir, ".obsidian/notes.md", "not memory");
      // Staged with git add but not committed: still not in HEAD.
      await put(dir, "topic-9/staged.md", entryText("staged"));
      gitCli(root, "add", "--", join(dir, "topic-9/staged.md"));

      expect(await both(store)).toEqual([
        "added scratch/idea.md",
        "modified topic-0/entry-0.md",
        "deleted topic-1/entry-1.md",
        "modified topic-2/entry-2.md",
        "added topic-9/new.md",
        "added topic-9/staged.md",
      ]);
    });
  }

  it("agree again after a commit made by worksite, which updates the index", async () => {
    const { store, dir } = await committedFolder("own");
    await writeFile(join(dir, "topic-0/entry-0.md"), entryText("entry-0", {}, "Changed by hand."));
    await unlink(join(dir, "topic-1/entry-1.md"));
    expect(await both(store)).toEqual(["modified topic-0/entry-0.md", "deleted topic-1/entry-1.md"]);
    await commitHandEdits(store, "record the edits", person);
    expect(await both(store)).toEqual([]);
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
  });
});

describe("memory status by the git CLI", () => {
  it("runs no command a global or a repository config names (core.fsmonitor)", async () => {
    const { store, dir } = await committedFolder("own");
    const marker = join(dir, "..", `${dir.split("/").at(-1)}-fsmonitor-ran`);
    dirs.push(marker);
    const global = join(dir, "..", `${dir.split("/").at(-1)}-gitconfig`);
    dirs.push(global);
    await writeFile(global, `[core]\n\tfsmonitor = "touch ${marker}; false"\n`);
    gitCli(dir, "config", "core.fsmonitor", `touch ${marker}; false`);
    const saved = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = global;
    try {
      await writeFile(join(dir, "topic-0/entry-0.md"), entryText("entry-0", {}, "Changed by hand."));
      expect(await changesByGitCli(store)).toEqual([{ file: "topic-0/entry-0.md", change: "modified" }]);
    } finally {
      if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved;
    }
    expect(existsSync(marker)).toBe(false);
  });
});
