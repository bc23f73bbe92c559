import { execFile } from "node:child_process";
import git from "isomorphic-git";
import type { MemoryStore } from "./store.js";
import { gitEnv, HARDENING, useGitCli } from "./working-status.js";

/**
 * Brings `.git/index` in line with a commit just written for `paths` (repository paths;
 * those gone from disk are removed): one update of the index for all of them. By
 * `git update-index` when the git CLI is installed (it rewrites a 10,000-entry index
 * in milliseconds, isomorphic-git in about a second), else by isomorphic-git; the
 * index records the same blob ids either way.
 */
export async function updateIndex(store: MemoryStore, added: string[], removed: string[]): Promise<void> {
  if (!added.length && !removed.length) return;
  if (useGitCli(store)) {
    const ok = await byCli(store, [...added, ...removed]).then(
      () => true,
      () => false,
    );
    if (ok) return;
  }
  if (removed.length)
    await git.remove({ fs: store.fs, dir: store.root, gitdir: store.gitdir, filepath: removed, cache: store.cache });
  if (added.length)
    await git.add({ fs: store.fs, dir: store.root, gitdir: store.gitdir, filepath: added, cache: store.cache });
}

function byCli(store: MemoryStore, paths: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      [...HARDENING, "update-index", "--add", "--remove", "-z", "--stdin"],
      { cwd: store.root, env: gitEnv(store) },
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.end(paths.map((p) => `${p}\0`).join(""));
  });
}
