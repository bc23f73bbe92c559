import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { parseThread, WORKSITE_FILES } from "@worksite/core";

const run = promisify(execFile);

/**
 * Checkpoints live in a private git directory (.worksite/checkpoints.git) whose
 * work tree is the worksite, under refs/worksite/round-N: never on the user's
 * branches, never in their index. Native git, not isomorphic-git: a checkpoint
 * of a whole work tree is an `add -A` and a `read-tree -u`, which native git does
 * an order of magnitude faster (see TOOLCHAIN.md).
 */
export function checkpointGitDir(root: string): string {
  return join(root, ".worksite", "checkpoints.git");
}

/**
 * THREAD.md, GOAL.md and PERMISSIONS.md are the person's contract with the agent, not the agent's
 * work: a rollback must never undo a rule a person added after the round it goes back to.
 */
export const CONTRACT_FILES: readonly string[] = WORKSITE_FILES;

/**
 * Never checkpointed, never rolled back: the records (audit log, evidence, reports, memory with its
 * own history) and the contract files. Anchored to the worksite root (a leading `/`): the work's own
 * `src/memory/` or `docs/artifacts/` is work like any other and is checkpointed (issue 21 item 4).
 * `node_modules/` stays unanchored: installed packages anywhere are not the agent's work.
 */
export const EXCLUDED: readonly string[] = [
  "/.worksite/",
  "/artifacts/",
  "/PROGRESS.md",
  "/memory/",
  "node_modules/",
  ".git/",
  ...CONTRACT_FILES.map((f) => `/${f}`),
];

const isContract = (path: string) => CONTRACT_FILES.includes(path);

/** A path the checkpoint left out, and why; rollback can neither save nor restore it. */
export interface Skipped {
  path: string;
  reason: string;
}

/** One line per path a checkpoint left out, for a round's report. */
export function notCheckpointed(skipped: readonly Skipped[]): string[] {
  return skipped.map((s) => `not checkpointed, so a rollback cannot restore it: ${s.path} (${s.reason})`);
}

export const NESTED_REPOSITORY = "a nested git repository: never entered, so not checkpointed";

/**
 * Settings no file in the work tree or the person's git config can change. The agent can write
 * a nested repository with `core.fsmonitor = "<command>"`; git runs that command when it looks
 * inside a submodule for changes (issue 20), so the checkpoint repository never looks inside one,
 * runs no hook and no fsmonitor of its own, and reads no system or global config.
 */
const HARDENING = [
  "core.autocrlf=false",
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "core.untrackedCache=false",
  "diff.ignoreSubmodules=all",
  "submodule.recurse=false",
  "status.submoduleSummary=false",
  "protocol.allow=never",
].flatMap((c) => ["-c", c]);

/** The environment git runs in: the process's, minus every GIT_* variable, with no system, global or XDG config. */
function gitEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && k !== "XDG_CONFIG_HOME") env[k] = v;
  return {
    ...env,
    HOME: join(checkpointGitDir(root), "home"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "worksite",
    GIT_AUTHOR_EMAIL: "worksite@localhost",
    GIT_COMMITTER_NAME: "worksite",
    GIT_COMMITTER_EMAIL: "worksite@localhost",
    ...extra,
  };
}

async function git(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return (await gitFull(root, args, env)).stdout;
}

async function gitFull(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  return run("git", ["--git-dir", checkpointGitDir(root), "--work-tree", root, ...HARDENING, ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: gitEnv(root, env),
  });
}

async function ensureRepo(root: string): Promise<void> {
  const dir = checkpointGitDir(root);
  const exists = existsSync(join(dir, "HEAD"));
  if (!exists) {
    await mkdir(dir, { recursive: true });
    // No template: the sample hooks and description of the system's template folder are not wanted.
    await run("git", ["init", "--bare", "--quiet", "--template=", dir], { env: gitEnv(root) });
  }
  // Only the holder of the thread's lock (a run, a rollback) uses this repository, so an index.lock here is
  // what a killed holder left mid-`git add`, never a live writer's: without this the next round fails on it.
  await rm(join(dir, "index.lock"), { force: true });
  await rm(join(dir, "restore-index.lock"), { force: true });
  await mkdir(join(dir, "home"), { recursive: true });
  // Written in the repository's own config too, so a person running git on it by hand gets the same.
  await writeFile(join(dir, "config"), REPO_CONFIG);
  // An older repo may already track the contract files; exclusion alone does not untrack them.
  if (exists) await git(root, ["rm", "--cached", "-f", "--quiet", "--ignore-unmatch", "--", ...CONTRACT_FILES]);
}

const REPO_CONFIG = `[core]
\trepositoryformatversion = 0
\tbare = true
\tfsmonitor = false
\thooksPath = /dev/null
\tautocrlf = false
[diff]
\tignoreSubmodules = all
[submodule]
\trecurse = false
`;

/**
 * Written every time, not only at creation: a repo made by an older worksite must learn new exclusions,
 * and nested repositories come and go between rounds.
 */
async function writeExcludes(root: string, memory: string | undefined, nested: readonly string[]): Promise<void> {
  const dir = join(checkpointGitDir(root), "info");
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "exclude"),
    `${[...EXCLUDED, ...(memory ? [`${anchored(memory)}/`] : []), ...nested.map(anchored)].join("\n")}\n`,
  );
}

/** THREAD.md's `memory.path`, when it names a folder inside the worksite other than memory/: it has its own history. */
async function memoryFolder(root: string): Promise<string | undefined> {
  try {
    const path = parseThread(await readFile(join(root, "THREAD.md"), "utf8"), { file: "THREAD.md" }).memory?.path;
    if (!path) return undefined;
    const rel = relative(root, resolve(root, path)).split(sep).join("/");
    return rel && rel !== "memory" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : undefined;
  } catch {
    return undefined; // a THREAD.md that does not parse stops the run elsewhere, with its line
  }
}

/** An exclude line matching exactly this folder at the root: glob characters and a leading `#`/`!` escaped. */
function anchored(dir: string): string {
  // A line break cannot be escaped in an exclude file; `?` matches it (and any one character) instead.
  return `/${dir.replace(/[\\*?[\]!# ]/g, (c) => `\\${c}`).replace(/[\r\n]/g, "?")}`;
}

/**
 * `git add -A` of the work tree, with nothing git would enter or choke on: a nested repository
 * is excluded (and a gitlink an older checkpoint recorded is dropped), and a file that cannot be
 * read is left out and named rather than failing the round.
 */
async function stage(root: string): Promise<Skipped[]> {
  await ensureRepo(root);
  const memory = await memoryFolder(root);
  // First without the last call's nested repositories, so the listing below sees each one still there.
  await writeExcludes(root, memory, []);
  const links = await gitlinks(root);
  if (links.length) await git(root, ["rm", "--cached", "-r", "-f", "--quiet", "--ignore-unmatch", "--", ...links]);
  // Untracked folders git lists whole (without --directory) are the ones it would not descend into: repositories.
  const nested = (await git(root, ["ls-files", "--others", "--exclude-standard", "-z"]))
    .split("\0")
    .filter((p) => p.endsWith("/"))
    .map((p) => p.slice(0, -1));
  const all = [...new Set([...nested, ...links.filter((p) => existsSync(join(root, p, ".git")))])].sort();
  if (all.length) await writeExcludes(root, memory, all);
  const skipped: Skipped[] = all.map((path) => ({ path: `${path}/`, reason: NESTED_REPOSITORY }));
  try {
    await git(root, ["add", "-A", "--ignore-errors", "."]);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "");
    const unreadable = [...stderr.matchAll(/unable to index file '([^']+)'/g)].map((m) => m[1]!);
    if (!unreadable.length) throw error;
    const why = /open\("[^"]*"\): ([^\n]+)/.exec(stderr)?.[1];
    for (const path of unreadable) skipped.push({ path, reason: `could not be read${why ? ` (${why})` : ""}` });
  }
  return skipped;
}

/**
 * The tree of `commit` without the contract files, nor a gitlink an older checkpoint may hold: restoring
 * it as it is would put back the PERMISSIONS.md of that round.
 */
async function restorableTree(root: string, commit: string): Promise<string> {
  const env = { GIT_INDEX_FILE: join(checkpointGitDir(root), "restore-index") };
  await git(root, ["read-tree", commit], env);
  await git(
    root,
    ["rm", "--cached", "-f", "--quiet", "--ignore-unmatch", "--", ...CONTRACT_FILES, ...(await gitlinks(root, env))],
    env,
  );
  return (await git(root, ["write-tree"], env)).trim();
}

export function checkpointRef(round: number): string {
  return `refs/worksite/round-${round}`;
}

export interface Checkpoint {
  commit: string;
  /** What it left out (a nested repository, an unreadable file): named in the round's report. */
  skipped: Skipped[];
}

/*
 * A round used to stage the whole work tree twice (changedSince, then recordCheckpoint): two `ls-files
 * --others` and two `add -A` scans of a tree that may hold 100,000 files (issue 13 item 5). changedSince
 * leaves what it staged here, and a checkpoint taken right after it (nothing in between writes the work
 * tree: the round's decision only) takes that index as it is.
 */
const staged = new Map<string, Skipped[]>();

export interface RecordOptions {
  /** Use what the last changedSince staged, when nothing has written the work tree since. */
  reuseStaged?: boolean;
}

/** Snapshot the work tree as it stands after `round`. */
export async function recordCheckpoint(
  root: string,
  round: number,
  message: string,
  options: RecordOptions = {},
): Promise<Checkpoint> {
  const reuse = options.reuseStaged ? staged.get(root) : undefined;
  staged.delete(root);
  const taken = await snapshot(root, message, reuse);
  await git(root, ["update-ref", "HEAD", taken.commit]);
  await git(root, ["update-ref", checkpointRef(round), taken.commit]);
  return taken;
}

async function snapshot(root: string, message: string, alreadyStaged?: Skipped[]): Promise<Checkpoint> {
  const skipped = alreadyStaged ?? (await stage(root));
  const tree = (await git(root, ["write-tree"])).trim();
  const parent = await resolveRef(root, "HEAD");
  return {
    commit: (await git(root, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message])).trim(),
    skipped,
  };
}

export async function resolveRef(root: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function listCheckpoints(root: string): Promise<number[]> {
  if (!existsSync(join(checkpointGitDir(root), "HEAD"))) return [];
  const out = await git(root, ["for-each-ref", "--format=%(refname)", "refs/worksite/"]);
  return out
    .split("\n")
    .map((l) => /round-(\d+)$/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** Files that differ between a checkpoint (a round's, or a commit) and the work tree now. Call it holding the thread's lock, as every checkpoint operation is. */
export async function changedSince(root: string, from: number | string | undefined): Promise<string[]> {
  staged.set(root, await stage(root));
  const base =
    from === undefined ? undefined : await resolveRef(root, typeof from === "number" ? checkpointRef(from) : from);
  const out = await git(root, ["diff", "--cached", "--name-only", "--no-renames", "-z", base ?? EMPTY_TREE]);
  return out.split("\0").filter((f) => f && !isContract(f));
}

/**
 * The work's changes between two checkpoints as a unified diff (the contract files left out), for a
 * person to review: commit against commit, so it reads no work tree and needs no lock. `from`
 * undefined: against nothing. Empty when either checkpoint is missing.
 */
export async function checkpointDiff(root: string, from: number | undefined, to: number): Promise<string> {
  const toCommit = await resolveRef(root, checkpointRef(to));
  const fromCommit = from === undefined ? EMPTY_TREE : await resolveRef(root, checkpointRef(from));
  if (!toCommit || !fromCommit) return "";
  return git(root, [
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-renames",
    fromCommit,
    toCommit,
    "--",
    ".",
    ...CONTRACT_FILES.map((f) => `:(exclude)${f}`),
  ]);
}

export interface Restore {
  /** Files put back. */
  restored: string[];
  /** Paths the rollback could not put back: left out of checkpoints, or not writable now. They are as they were. */
  notRestored: Skipped[];
  /** The commit holding the files as they were before. */
  safety: string;
  target: string;
}

/** Restore the work tree to round N's checkpoint; what is there now is checkpointed first, so nothing is lost. */
export async function rollbackTo(root: string, round: number): Promise<Restore> {
  const target = await resolveRef(root, checkpointRef(round));
  if (!target) throw new Error(`no checkpoint for round ${round}`);
  return restore(root, target, `before rollback to round ${round}`);
}

/** The files as they were just before the last rollback (or its undo): what `worksite rollback --undo` restores. */
export const BEFORE_ROLLBACK = "refs/worksite/before-rollback";

/**
 * Undo the last rollback: the files go back to how they were before it. What is there now is kept
 * in its place, so undoing twice gets the rollback back.
 */
export async function undoRollback(root: string): Promise<Restore> {
  const target = await resolveRef(root, BEFORE_ROLLBACK);
  if (!target) throw new Error("there is no rollback to undo");
  return restore(root, target, "before undoing a rollback");
}

async function restore(root: string, target: string, message: string): Promise<Restore> {
  const restored = await changedSince(root, target);
  const safety = await snapshot(root, message);
  await git(root, ["update-ref", BEFORE_ROLLBACK, safety.commit]);
  const { stderr } = await gitFull(root, ["read-tree", "-u", "--reset", await restorableTree(root, target)]);
  await git(root, ["update-ref", "HEAD", target]);
  // What is on disk now and differs from the index read-tree just wrote was not put back (a file it could not
  // write or remove), besides what no checkpoint holds.
  const differing = (await git(root, ["diff", "--name-only", "--no-renames", "-z"]).catch(() => ""))
    .split("\0")
    .filter(Boolean);
  const failed = [...stderr.matchAll(/unable to (?:unlink(?: old)?|create file) '?([^'\n]+?)'?: /g)].map((m) => m[1]!);
  const notRestored = new Map(safety.skipped.map((s) => [s.path, s]));
  for (const path of [...differing, ...failed])
    if (!notRestored.has(path) && !notRestored.has(`${path}/`))
      notRestored.set(path, { path, reason: "could not be written" });
  return {
    restored: restored.filter((f) => !notRestored.has(f)),
    notRestored: [...notRestored.values()],
    safety: safety.commit,
    target,
  };
}

async function gitlinks(root: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  return (await git(root, ["ls-files", "-s", "-z"], env))
    .split("\0")
    .filter((l) => l.startsWith("160000 "))
    .map((l) => l.slice(l.indexOf("\t") + 1));
}
