import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import git from "isomorphic-git";
import { listTree } from "./commit-tree.js";
import { cachedOid, readGitIndex } from "./git-index.js";
import { type MemoryStore, memoryPath, repoPath } from "./store.js";

/** What a caller already knows of a file: its text or its blob id, so it is not read again. */
export interface Known {
  file: string;
  text?: string;
  oid?: string;
  tooBig?: true;
}

export interface HandEdit {
  /** Path inside the memory folder. */
  file: string;
  change: "added" | "modified" | "deleted";
}

/*
 * The memory folder's `.md` files against HEAD (issue 13 item 2), two ways
 * with one answer (working-status.test.ts compares them): the git CLI's
 * `status` when git is installed (what it does in C, at git's speed), and,
 * without it, HEAD's tree against blob ids taken from `.git/index`'s stat
 * cache, hashing only the files whose stat changed.
 */

let cli: boolean | undefined;
/**
 * Is the git CLI installed? Asked once per process, by looking for an executable `git` on PATH: running
 * `git --version` cost every `memory commit` ~5 ms before it started. A git that is there but fails is
 * no harm: each use of the CLI falls back to isomorphic-git when it fails.
 */
export function hasGitCli(): boolean {
  if (cli === undefined) {
    if (process.platform === "win32") {
      try {
        execFileSync("git", ["--version"], { stdio: "ignore" });
        cli = true;
      } catch {
        cli = false;
      }
    } else
      cli = (process.env.PATH ?? "").split(delimiter).some((dir) => {
        try {
          fs.accessSync(join(dir || ".", "git"), fs.constants.X_OK);
          return fs.statSync(join(dir || ".", "git")).isFile();
        } catch {
          return false;
        }
      });
  }
  return cli;
}

/** The git CLI for this store: installed, and not turned off (OpenMemoryOptions.gitCli). */
export function useGitCli(store: MemoryStore): boolean {
  return store.gitCli !== false && hasGitCli();
}

/** The git CLI's status when it is used for this store and answers; undefined otherwise. */
export async function statusByGitCli(store: MemoryStore): Promise<HandEdit[] | undefined> {
  return useGitCli(store) ? changesByGitCli(store).catch(() => undefined) : undefined;
}

export async function workingChanges(store: MemoryStore, loaded?: readonly Known[]): Promise<HandEdit[]> {
  if (!useGitCli(store)) return changesByIndex(store, loaded);
  // A repository git refuses (owned by someone else, an odd config) still has an answer: the index's.
  return changesByGitCli(store).catch(() => changesByIndex(store, loaded));
}

/*
 * git reads configs that can run commands (core.fsmonitor, hooks): none from the person's global or the
 * system config, and the repository's own are overridden, as the checkpoint repository's git does.
 */
export const HARDENING = [
  "core.fsmonitor=false",
  // A repository's config must not make git trust a stat that utimes put back (the parse cache relies on it).
  "core.trustctime=true",
  "core.checkStat=default",
  "core.hooksPath=/dev/null",
  "core.quotepath=false",
  "diff.ignoreSubmodules=all",
  "submodule.recurse=false",
  "status.submoduleSummary=false",
  "protocol.allow=never",
].flatMap((c) => ["-c", c]);

export function gitEnv(store: MemoryStore): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && k !== "XDG_CONFIG_HOME") env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_DIR: store.gitdir,
    GIT_WORK_TREE: store.root,
  };
}

const run = promisify(execFile);

/** `git status`, without taking the index lock (a status must never block a writer), every file listed. */
export async function changesByGitCli(store: MemoryStore): Promise<HandEdit[]> {
  const { stdout } = await run(
    "git",
    [
      "--no-optional-locks",
      ...HARDENING,
      "status",
      "--porcelain=v1",
      "-z",
      "--no-renames",
      "--untracked-files=all",
      // Ignored files are hand edits too (the walk below sees them); `traditional` lists each one.
      "--ignored=traditional",
      "--",
      store.prefix || ".",
    ],
    { cwd: store.root, maxBuffer: 256 * 1024 * 1024, env: gitEnv(store) },
  );
  const out: HandEdit[] = [];
  for (const record of stdout.split("\0")) {
    if (record.length < 4) continue;
    const [x, y] = [record[0], record[1]];
    const file = memoryPath(store, record.slice(3));
    if (file === undefined || !tracked(file)) continue;
    if (x === "?" || x === "!") out.push({ file, change: "added" });
    else if (x === "A") {
      if (y !== "D") out.push({ file, change: "added" });
    } else if (x === "D" || y === "D") out.push({ file, change: "deleted" });
    else out.push({ file, change: "modified" });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** HEAD's tree against the working files' blob ids, taken from the index's stat cache where it still holds. */
export async function changesByIndex(store: MemoryStore, loaded?: readonly Known[]): Promise<HandEdit[]> {
  const head = await git.resolveRef({ fs: store.fs, gitdir: store.gitdir, ref: "HEAD" }).catch(() => undefined);
  const committed = new Map<string, string>();
  for (const [path, oid] of await listTree(store, head)) {
    const file = memoryPath(store, path);
    if (file !== undefined && tracked(file)) committed.set(file, oid);
  }
  const index = readGitIndex(store.gitdir);
  const known = new Map<string, string>();
  for (const f of loaded ?? [])
    if (!f.tooBig && (f.oid || f.text !== undefined)) known.set(f.file, f.oid || blobId(Buffer.from(f.text!, "utf8")));
  const files = markdownFiles(store.dir);
  const oids = new Map<string, string>();
  const toRead: string[] = [];
  for (const file of files) {
    const stated = cachedOid(index, repoPath(store, file), fs.statSync(join(store.dir, file), { bigint: true }));
    const given = known.get(file);
    if (stated) oids.set(file, stated);
    else if (given !== undefined) oids.set(file, given);
    else toRead.push(file);
  }
  // Read what neither the index nor the caller knows, 64 at a time.
  for (let i = 0; i < toRead.length; i += 64) {
    const batch = toRead.slice(i, i + 64);
    const read = await Promise.all(batch.map((f) => readFile(join(store.dir, f))));
    for (const [j, f] of batch.entries()) oids.set(f, blobId(read[j]!));
  }
  const out: HandEdit[] = [];
  for (const file of files) {
    const was = committed.get(file);
    committed.delete(file);
    if (was === undefined) out.push({ file, change: "added" });
    else if (was !== oids.get(file)) out.push({ file, change: "modified" });
  }
  for (const file of committed.keys()) out.push({ file, change: "deleted" });
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** The id git gives a file's content. */
export function blobId(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Markdown files a person edits: not under a dot folder (.git, .obsidian …). */
export function tracked(file: string): boolean {
  // A segment starting with "." is one at the start or after a slash (no split: this runs for every file).
  return file.endsWith(".md") && !file.startsWith(".") && !file.includes("/.");
}

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const item of fs.readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (item.name.startsWith(".")) continue;
      const path = rel ? `${rel}/${item.name}` : item.name;
      if (item.isDirectory()) walk(path);
      else if (item.isFile() && item.name.endsWith(".md")) out.push(path);
    }
  };
  walk("");
  return out;
}
