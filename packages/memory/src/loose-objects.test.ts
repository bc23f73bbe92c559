import fs from "node:fs";
import { join } from "node:path";
import git, { type TreeEntry } from "isomorphic-git";
import { describe, expect, it } from "vitest";
import {
  commitContent,
  objectsDir,
  parseTree,
  readLooseObject,
  treeContent,
  queueLooseObject,
} from "./loose-objects.js";
import { gitCli, tempDir } from "./test-helpers/fixtures.js";

/*
 * Issue 13 item 2: memory commits write their objects themselves (loose-objects.ts) instead of through
 * isomorphic-git. The ids must be exactly those isomorphic-git and git write, or a commit made here
 * would differ from one made before, and git must read what was written.
 */
/** One object written and on disk, as a commit's objects are before its ref moves. */
async function writeObject(objects: string, type: "blob" | "tree" | "commit", content: Buffer): Promise<string> {
  const pending: Promise<void>[] = [];
  const oid = queueLooseObject(objects, type, content, pending);
  await Promise.all(pending);
  return oid;
}

async function repo() {
  const dir = await tempDir();
  gitCli(dir, "init", "--quiet", "--initial-branch=main");
  return { dir, gitdir: join(dir, ".git") };
}

describe("loose objects written for a memory commit", () => {
  it("have the ids isomorphic-git gives the same blob, tree and commit, read back as it reads them, and git fsck --strict accepts them", async () => {
    const { dir, gitdir } = await repo();
    const objects = objectsDir(gitdir);
    const blob = Buffer.from("---\nname: é\n---\n\nbody\n", "utf8");
    const blobId = await writeObject(objects, "blob", blob);
    expect(blobId).toBe(await git.writeBlob({ fs, gitdir, blob }));
    const sub = await writeObject(
      objects,
      "tree",
      treeContent([{ mode: "100644", path: "x.md", oid: blobId, type: "blob" }]),
    );
    // "a" as a folder sorts as "a/", after "a-b" and "a.md" ('/' is after '-' and '.'); non-ASCII after ASCII.
    const entries: TreeEntry[] = [
      { mode: "040000", path: "a", oid: sub, type: "tree" },
      { mode: "100644", path: "a.md", oid: blobId, type: "blob" },
      { mode: "100644", path: "a-b.md", oid: blobId, type: "blob" },
      { mode: "100644", path: "é.md", oid: blobId, type: "blob" },
      { mode: "100644", path: "Z.md", oid: blobId, type: "blob" },
    ];
    const tree = await writeObject(objects, "tree", treeContent(entries));
    expect(tree).toBe(await git.writeTree({ fs, gitdir, tree: entries }));
    // Read back as isomorphic-git reads it (the commit path reads loose trees itself).
    const read = readLooseObject(objects, tree);
    expect(read?.type).toBe("tree");
    // (in git's order; isomorphic-git sorts by plain name, an order nothing here depends on)
    const byPath = (list: TreeEntry[]) => [...list].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(byPath(parseTree(read!.content))).toEqual(byPath((await git.readTree({ fs, gitdir, oid: tree })).tree));
    const person = { name: "Alice", email: "alice@example.test", timestamp: 1_751_371_200 };
    const message = "\nhand edits\r\n\nmemory: by Alice\n\n";
    const commit = await writeObject(
      objects,
      "commit",
      commitContent({ tree, parents: [], author: person, committer: person, message }),
    );
    const theirs = await git.writeCommit({
      fs,
      gitdir,
      commit: {
        tree,
        parent: [],
        author: { ...person, timezoneOffset: 0 },
        committer: { ...person, timezoneOffset: 0 },
        message,
      },
    });
    expect(commit).toBe(theirs);
    gitCli(dir, "update-ref", "refs/heads/main", commit);
    gitCli(dir, "fsck", "--strict", "--no-dangling");
    expect(
      gitCli(dir, "-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", "HEAD").split("\n").filter(Boolean),
    ).toEqual(["Z.md", "a-b.md", "a.md", "a/x.md", "é.md"]);
  });

  it("are written into a linked worktree's common object folder", async () => {
    const { dir } = await repo();
    gitCli(
      dir,
      "-c",
      "user.name=A",
      "-c",
      "user.email=a@example.test",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "start",
    );
    const linked = join(await tempDir(), "linked");
    gitCli(dir, "worktree", "add", "--quiet", linked);
    const gitdir = join(dir, ".git", "worktrees", "linked");
    expect(objectsDir(gitdir)).toBe(join(dir, ".git", "objects"));
    const oid = await writeObject(objectsDir(gitdir), "blob", Buffer.from("hello\n"));
    expect(gitCli(linked, "cat-file", "-p", oid)).toBe("hello\n");
  });
});
