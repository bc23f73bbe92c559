import fs from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UserError } from "@worksite/core";
import git from "isomorphic-git";
import { listTree, readBlobText, resolveOptional } from "./commit-tree.js";
import { INDEX_FILE, type MemoryStore, repoPath } from "./store.js";

/** The branch the memory's main line lives on: whatever HEAD names (main in a fresh folder). */
export async function mainRef(store: MemoryStore): Promise<string> {
  const branch = await git.currentBranch({ fs: store.fs, gitdir: store.gitdir, fullname: true });
  if (!branch)
    throw new UserError(`${store.root} has a detached HEAD`, { hint: "check out a branch before changing memory" });
  return branch;
}

/** Files that differ between two commits, inside the memory folder: path → new oid (null: deleted). */
export async function changedPaths(
  store: MemoryStore,
  from: string | undefined,
  to: string | undefined,
): Promise<Map<string, string | null>> {
  const [a, b] = await Promise.all([listTree(store, from), listTree(store, to)]);
  const out = new Map<string, string | null>();
  for (const [p, oid] of b) if (a.get(p) !== oid) out.set(p, oid);
  for (const p of a.keys()) if (!b.has(p)) out.set(p, null);
  return out;
}

/**
 * Moves the checked-out main line from `from` to `to` and brings the memory files in the
 * working tree (and index) along. Refuses before moving anything when a file it would
 * overwrite has a hand edit, so no one's edit is lost.
 */
export async function advanceMainLine(
  store: MemoryStore,
  ref: string,
  from: string | undefined,
  to: string,
): Promise<string[]> {
  const changed = await changedPaths(store, from, to);
  const old = await listTree(store, from);
  const dirty: string[] = [];
  for (const path of changed.keys()) {
    const disk = join(store.root, path);
    const exists = fs.existsSync(disk);
    const before = old.get(path);
    if (!exists) {
      // MEMORY.md is generated from the entries, so a missing one is no edit to protect: it is written
      // back. (Folders started before the first commit wrote it to disk hold it only in history.)
      if (before && path !== repoPath(store, INDEX_FILE)) dirty.push(path);
      continue;
    }
    const { oid } = await git.hashBlob({ object: await fs.promises.readFile(disk) });
    if (oid !== before && oid !== changed.get(path)) dirty.push(path);
  }
  if (dirty.length)
    throw new UserError(`memory has uncommitted edits to ${dirty.join(", ")} that this change would overwrite`, {
      hint: 'record them first with: worksite memory commit -m "…"',
    });
  const now = await resolveOptional(store, ref);
  if (now !== from) throw new Error(`${ref} moved while merging; try again`);
  await git.writeRef({ fs: store.fs, gitdir: store.gitdir, ref, value: to, force: true });
  for (const [path, oid] of changed) {
    const disk = join(store.root, path);
    if (oid === null) {
      await rm(disk, { force: true });
      await git.remove({ fs: store.fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
    } else {
      await mkdir(dirname(disk), { recursive: true });
      await writeFile(disk, await readBlobText(store, oid));
      await git.add({ fs: store.fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
    }
  }
  return [...changed.keys()];
}
