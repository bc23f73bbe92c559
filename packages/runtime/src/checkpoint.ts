import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { WORKSITE_FILES } from "@worksite/core";

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
 * own history) and the contract files (anchored: only the worksite's own, at its root).
 */
const EXCLUDED = [".worksite/", "artifacts/", "PROGRESS.md", "memory/", "node_modules/", ".git/", ...CONTRACT_FILES.map((f) => `/${f}`)];

const isContract = (path: string) => CONTRACT_FILES.includes(path);

async function git(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run("git", ["--git-dir", checkpointGitDir(root), "--work-tree", root, "-c", "core.autocrlf=false", ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_AUTHOR_NAME: "worksite", GIT_AUTHOR_EMAIL: "worksite@localhost", GIT_COMMITTER_NAME: "worksite", GIT_COMMITTER_EMAIL: "worksite@localhost", ...env },
  });
  return stdout;
}

async function ensureRepo(root: string): Promise<void> {
  const dir = checkpointGitDir(root);
  const exists = existsSync(join(dir, "HEAD"));
  if (!exists) {
    await mkdir(dir, { recursive: true });
    await run("git", ["init", "--bare", "--quiet", dir]);
  }
  // Written every time, not only at creation: a repo made by an older worksite must learn new exclusions.
  await mkdir(join(dir, "info"), { recursive: true });
  await writeFile(join(dir, "info", "exclude"), `${EXCLUDED.join("\n")}\n`);
  // An older repo may already track the contract files; exclusion alone does not untrack them.
  if (exists) await git(root, ["rm", "--cached", "-f", "--quiet", "--ignore-unmatch", "--", ...CONTRACT_FILES]);
}

/**
 * The tree of `commit` without the contract files: an older checkpoint may hold them, and
 * restoring it as it is would put back the PERMISSIONS.md of that round.
 */
async function restorableTree(root: string, commit: string): Promise<string> {
  const env = { GIT_INDEX_FILE: join(checkpointGitDir(root), "restore-index") };
  await git(root, ["read-tree", commit], env);
  await git(root, ["rm", "--cached", "-f", "--quiet", "--ignore-unmatch", "--", ...CONTRACT_FILES], env);
  return (await git(root, ["write-tree"], env)).trim();
}

export function checkpointRef(round: number): string {
  return `refs/worksite/round-${round}`;
}

/** Snapshot the work tree as it stands after `round`. Returns the commit id. */
export async function recordCheckpoint(root: string, round: number, message: string): Promise<string> {
  await ensureRepo(root);
  const commit = await snapshot(root, message);
  await git(root, ["update-ref", "HEAD", commit]);
  await git(root, ["update-ref", checkpointRef(round), commit]);
  return commit;
}

async function snapshot(root: string, message: string): Promise<string> {
  await git(root, ["add", "-A", "."]);
  const tree = (await git(root, ["write-tree"])).trim();
  const parent = await resolveRef(root, "HEAD");
  return (await git(root, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message])).trim();
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

/** Files that differ between a checkpoint (a round's, or a commit) and the work tree now. */
export async function changedSince(root: string, from: number | string | undefined): Promise<string[]> {
  await ensureRepo(root);
  await git(root, ["add", "-A", "."]);
  const base = from === undefined ? undefined : await resolveRef(root, typeof from === "number" ? checkpointRef(from) : from);
  const out = base
    ? await git(root, ["diff", "--cached", "--name-only", "--no-renames", base])
    : await git(root, ["diff", "--cached", "--name-only", "--no-renames", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]);
  return out.split("\n").filter((f) => f && !isContract(f));
}

/** Restore the work tree to round N's checkpoint; what is there now is checkpointed first, so nothing is lost. */
export async function rollbackTo(root: string, round: number): Promise<{ restored: string[]; safety: string; target: string }> {
  const target = await resolveRef(root, checkpointRef(round));
  if (!target) throw new Error(`no checkpoint for round ${round}`);
  const restored = await changedSince(root, round);
  const safety = await snapshot(root, `before rollback to round ${round}`);
  await git(root, ["update-ref", BEFORE_ROLLBACK, safety]);
  await git(root, ["read-tree", "-u", "--reset", await restorableTree(root, target)]);
  await git(root, ["update-ref", "HEAD", target]);
  return { restored, safety, target };
}

/** The files as they were just before the last rollback (or its undo): what `worksite rollback --undo` restores. */
export const BEFORE_ROLLBACK = "refs/worksite/before-rollback";

/**
 * Undo the last rollback: the files go back to how they were before it. What is there now is kept
 * in its place, so undoing twice gets the rollback back.
 */
export async function undoRollback(root: string): Promise<{ restored: string[]; safety: string; target: string }> {
  const target = await resolveRef(root, BEFORE_ROLLBACK);
  if (!target) throw new Error("there is no rollback to undo");
  const restored = await changedSince(root, target);
  const safety = await snapshot(root, "before undoing a rollback");
  await git(root, ["update-ref", BEFORE_ROLLBACK, safety]);
  await git(root, ["read-tree", "-u", "--reset", await restorableTree(root, target)]);
  await git(root, ["update-ref", "HEAD", target]);
  return { restored, safety, target };
}
