import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Every repository inside the work tree (a `.git` folder, or the `.git` file
 * of a worktree or submodule), found fresh before each command: one made by
 * the previous command is read-only from the next on, since git runs what its
 * control files say (hooks, core.fsmonitor).
 */
export function gitDirsUnder(root: string, rg: string): Promise<string[]> {
  return new Promise((done) => {
    const args = [
      "--files",
      "--hidden",
      "--no-ignore",
      "--no-config",
      "--max-depth",
      "8",
      "--iglob",
      "**/.git/HEAD",
      "--iglob",
      "**/.git",
      "--glob",
      "!**/node_modules/**",
      ".",
    ];
    execFile(rg, args, { cwd: root, maxBuffer: 8 * 1024 * 1024, timeout: 10_000 }, (_error, stdout) => {
      // rg exits 1 when nothing matched, 2 when a folder was unreadable: what it listed still counts.
      const found = String(stdout ?? "")
        .split("\n")
        .filter(Boolean)
        .map((line) => resolve(root, line))
        .map((path) => (path.endsWith(join(".git", "HEAD")) ? dirname(path) : path));
      done([...new Set(found)]);
    });
  });
}

/** Whether `folder` or a folder above it holds a repository (git would find it from here). */
export function insideRepository(folder: string): boolean {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return true;
    if (dirname(dir) === dir) return false;
  }
}
