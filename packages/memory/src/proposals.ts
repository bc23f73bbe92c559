import fs from "node:fs";
import { join, relative } from "node:path";
import { formatBytes, SIZE_LIMITS, UserError, unifiedDiff } from "@worksite/core";
import git from "isomorphic-git";
import { z } from "zod";
import { type Changes, listTree, readBlobText, resolveOptional, writeCommit } from "./commit-tree.js";
import { parseEntry, serialiseEntry } from "./entry-format.js";
import { assertCommittable } from "./guard.js";
import { renderIndex } from "./index-file.js";
import { withMemoryLock } from "./lock.js";
import { memoryMergeDriver } from "./merge-driver.js";
import { entryTypes } from "./schema.js";
import { INDEX_FILE, type MemoryStore, memoryPath, type Person, repoPath, today } from "./store.js";
import { entriesAt, fileAt } from "./tree-entries.js";
import { advanceMainLine, changedPaths, mainRef } from "./worktree.js";

const PROPOSALS = "memory/proposals/";
const runId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a run id is letters, digits, dot, dash and underscore");

export function proposalRef(run: string): string {
  const parsed = runId.safeParse(run);
  if (!parsed.success)
    throw new UserError(`"${run}" is not a run id`, { hint: "a run id is letters, digits, dot, dash and underscore" });
  return `refs/heads/${PROPOSALS}${run}`;
}

/** What an agent (or a person) may write. Dates, source and status are filled in. */
export const writeInput = z.object({
  topic: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a topic is a kebab-case folder name"),
  name: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a name is kebab-case, such as use-pnpm"),
  description: z
    .string()
    .min(1)
    .refine((s) => !s.includes("\n"), "one line"),
  type: z.enum(entryTypes),
  body: z.string(),
  tags: z.array(z.string()).optional(),
  scope: z.string().optional(),
  expires: z.string().optional(),
  confidence: z.union([z.number().min(0).max(1), z.enum(["low", "medium", "high"])]).optional(),
});
export type WriteInput = z.input<typeof writeInput>;

export interface ChangeContext {
  /** The run this change belongs to; names the proposal branch. */
  run: string;
  /** Who asked: "agent", "person:alice" … named in the commit message. */
  actor: string;
  /** Straight onto the main line (THREAD.md `memory: { autoAccept: true }`). */
  autoAccept?: boolean;
}

export interface ChangeResult {
  file: string;
  commit: string;
  /** "refs/heads/memory/proposals/<run>", or the main line when auto-accepted. */
  ref: string;
}

/** Creates the proposal branch for a run from the main line, if it does not exist yet. */
export async function beginProposal(store: MemoryStore, run: string): Promise<string> {
  return withMemoryLock(store, () => beginProposalLocked(store, run));
}

async function beginProposalLocked(store: MemoryStore, run: string): Promise<string> {
  const ref = proposalRef(run);
  if (await resolveOptional(store, ref)) return ref;
  const main = await mainRef(store);
  const head = (await resolveOptional(store, main)) ?? (await startMainLine(store, main, run));
  await git.writeRef({ fs: store.fs, gitdir: store.gitdir, ref, value: head, force: true });
  return ref;
}

/**
 * A proposal needs a base to diff against, so an empty folder gets a first commit on the main line.
 * It goes through advanceMainLine like every other move of the main line, so MEMORY.md is written
 * to the folder (and the index) too: a commit that records a file the folder lacks reads as a
 * staged deletion, and the next accept would refuse it as a hand edit. A MEMORY.md already in the
 * folder is recorded as it is, and so is the `.gitkeep` `worksite init` leaves, so the first commit
 * matches the folder and `git status` stays clean.
 */
async function startMainLine(store: MemoryStore, main: string, run: string): Promise<string> {
  const onDisk = async (file: string) => {
    const path = join(store.dir, file);
    return fs.existsSync(path) && (await fs.promises.stat(path)).isFile()
      ? fs.promises.readFile(path, "utf8")
      : undefined;
  };
  const changes: Changes = new Map([[repoPath(store, INDEX_FILE), (await onDisk(INDEX_FILE)) ?? renderIndex([])]]);
  const keep = await onDisk(".gitkeep");
  if (keep !== undefined) changes.set(repoPath(store, ".gitkeep"), keep);
  const tmp = `refs/worksite/memory-tmp/start-${run}`;
  const commit = await writeCommit(store, {
    ref: tmp,
    parents: [],
    changes,
    message: "memory: start",
    author: store.author,
  });
  await git.deleteRef({ fs: store.fs, gitdir: store.gitdir, ref: tmp });
  await advanceMainLine(store, main, undefined, commit);
  return commit;
}

/** Writes (creates or updates) one entry as a commit on the run's proposal branch. */
export async function writeMemory(store: MemoryStore, input: WriteInput, ctx: ChangeContext): Promise<ChangeResult> {
  const w = writeInput.parse(input);
  const file = `${w.topic}/${w.name}.md`;
  return change(store, ctx, file, `write ${file}`, (old) => {
    const day = today(store);
    const previous = old ? parseEntry(old, file) : undefined;
    const prevMeta = previous?.ok ? previous.entry.meta : undefined;
    const meta = {
      ...(prevMeta ?? {}),
      name: w.name,
      description: w.description,
      type: w.type,
      tags: w.tags ?? prevMeta?.tags ?? [],
      scope: w.scope ?? prevMeta?.scope ?? "global",
      source: `run:${ctx.run}`,
      created: prevMeta?.created ?? day,
      updated: day,
      expires: w.expires ?? prevMeta?.expires,
      confidence: w.confidence ?? prevMeta?.confidence,
      status: "active",
    };
    const text = serialiseEntry(meta, w.body);
    // Refused when written, not only when read back: an entry past the limit would never load again.
    const bytes = Buffer.byteLength(text);
    if (bytes > SIZE_LIMITS.memoryEntry)
      throw new UserError(
        `memory entry ${file} would be ${formatBytes(bytes)}; the limit is ${formatBytes(SIZE_LIMITS.memoryEntry)}`,
        { hint: "split it into smaller entries, one fact or decision each" },
      );
    return text;
  });
}

/** Forgets an entry: it is marked superseded (kept in the folder and history, hidden from agents). */
export async function forgetMemory(
  store: MemoryStore,
  id: string,
  reason: string,
  ctx: ChangeContext,
): Promise<ChangeResult> {
  const file = `${id.replace(/\.md$/, "")}.md`;
  return change(store, ctx, file, `forget ${file}`, (old) => {
    if (old === null) throw new UserError(`no memory entry "${id}" to forget`);
    const parsed = parseEntry(old, file);
    if (!parsed.ok) throw new UserError(`memory entry "${id}" does not parse`, { hint: "run worksite memory audit" });
    const body = `${parsed.entry.body.trim()}\n\nForgotten on ${today(store)} by ${ctx.actor}: ${reason}`;
    return serialiseEntry({ ...parsed.entry.meta, status: "superseded", updated: today(store) }, body);
  });
}

async function change(
  store: MemoryStore,
  ctx: ChangeContext,
  file: string,
  what: string,
  make: (old: string | null) => string,
): Promise<ChangeResult> {
  return withMemoryLock(store, () => changeLocked(store, ctx, file, what, make));
}

async function changeLocked(
  store: MemoryStore,
  ctx: ChangeContext,
  file: string,
  what: string,
  make: (old: string | null) => string,
): Promise<ChangeResult> {
  const path = repoPath(store, file);
  const message = `memory: ${what}\n\nrun: ${ctx.run}\nauthor: ${ctx.actor}`;
  if (ctx.autoAccept) {
    const ref = await mainRef(store);
    const head = await resolveOptional(store, ref);
    const text = make(await fileAt(store, head, path));
    const entries = (await entriesAt(store, head)).filter((e) => e.file !== file);
    const parsed = parseEntry(text, file);
    if (parsed.ok) entries.push(parsed.entry);
    const changes: Changes = new Map([
      [path, text],
      [repoPath(store, INDEX_FILE), renderIndex(entries)],
    ]);
    const tmp = `refs/worksite/memory-tmp/${ctx.run}`;
    const commit = await writeCommit(store, {
      ref: tmp,
      parents: head ? [head] : [],
      changes,
      message,
      author: store.author,
    });
    await git.deleteRef({ fs: store.fs, gitdir: store.gitdir, ref: tmp });
    await advanceMainLine(store, ref, head, commit);
    await note(store, ctx, `memory change committed on the main line: ${file}`);
    return { file, commit, ref };
  }
  const ref = await beginProposal(store, ctx.run);
  const head = await resolveOptional(store, ref);
  const text = make(await fileAt(store, head, path));
  const commit = await writeCommit(store, {
    ref,
    changes: new Map([[path, text]]),
    message,
    author: store.author,
    expectOld: head ?? null,
  });
  await note(store, ctx, `memory proposal ${ctx.run}: ${what}`);
  return { file, commit, ref };
}

export interface ProposalInfo {
  run: string;
  ref: string;
  head: string;
  files: string[];
}

export async function listProposals(store: MemoryStore): Promise<ProposalInfo[]> {
  const branches = await git.listBranches({ fs: store.fs, gitdir: store.gitdir });
  const out: ProposalInfo[] = [];
  for (const b of branches.filter((x) => x.startsWith(PROPOSALS)).sort()) {
    const run = b.slice(PROPOSALS.length);
    const { base, head } = await proposalRange(store, run);
    out.push({
      run,
      ref: `refs/heads/${b}`,
      head,
      files: [...(await changedPaths(store, base, head)).keys()].map((p) => memoryPath(store, p) ?? p),
    });
  }
  return out;
}

async function proposalRange(
  store: MemoryStore,
  run: string,
): Promise<{ ref: string; head: string; base: string | undefined; main: string | undefined }> {
  const ref = proposalRef(run);
  const head = await resolveOptional(store, ref);
  if (!head)
    throw new UserError(`no memory proposal for run "${run}"`, { hint: "list them with: worksite memory diff" });
  const main = await resolveOptional(store, await mainRef(store));
  const bases = main
    ? await git.findMergeBase({ fs: store.fs, gitdir: store.gitdir, oids: [main, head], cache: store.cache })
    : [];
  return { ref, head, base: bases[0], main };
}

/** The unified diff of exactly what the run proposed, against the commit it started from. */
export async function diffProposal(store: MemoryStore, run: string): Promise<string> {
  const { head, base } = await proposalRange(store, run);
  const before = await listTree(store, base);
  const parts: string[] = [];
  for (const [path, oid] of [...(await changedPaths(store, base, head))].sort(([a], [b]) => a.localeCompare(b))) {
    const old = before.get(path);
    parts.push(
      unifiedDiff(path, old ? await readBlobText(store, old) : null, oid ? await readBlobText(store, oid) : null),
    );
  }
  return parts.join("");
}

/** Merges the run's proposal into the main line (entries both sides edited are kept side by side) and drops the branch. */
export async function acceptProposal(
  store: MemoryStore,
  run: string,
  person: Person = store.author,
): Promise<{ commit: string; files: string[]; conflicted: string[] }> {
  return withMemoryLock(store, () => acceptProposalLocked(store, run, person));
}

async function acceptProposalLocked(
  store: MemoryStore,
  run: string,
  person: Person,
): Promise<{ commit: string; files: string[]; conflicted: string[] }> {
  const { ref, head, main } = await proposalRange(store, run);
  const target = await mainRef(store);
  let treeOid: string;
  if (!main) throw new UserError("the memory main line has no commit yet");
  try {
    const result = await git.merge({
      fs: store.fs,
      gitdir: store.gitdir,
      ours: target,
      theirs: ref,
      fastForward: false,
      noUpdateBranch: true,
      abortOnConflict: true,
      author: { name: person.name, email: person.email },
      mergeDriver: memoryMergeDriver({ ours: "the main line", theirs: `run ${run}` }),
      cache: store.cache,
    });
    if (result.alreadyMerged) {
      await git.deleteBranch({ fs: store.fs, gitdir: store.gitdir, ref: ref.slice("refs/heads/".length) });
      return { commit: main, files: [], conflicted: [] };
    }
    treeOid =
      result.tree ??
      (await git.readCommit({ fs: store.fs, gitdir: store.gitdir, oid: result.oid!, cache: store.cache })).commit.tree;
  } catch (error) {
    if ((error as { code?: string }).code === "MergeConflictError")
      throw new UserError(`proposal ${run} deletes an entry the main line changed (or the other way round)`, {
        hint: "edit by hand, then reject the proposal",
        cause: error,
      });
    throw error;
  }
  const tmp = `refs/worksite/memory-tmp/accept-${run}`;
  const staged = await writeCommit(store, {
    ref: tmp,
    parents: [main, head],
    baseTree: treeOid,
    changes: new Map(),
    message: "tmp",
    author: person,
  });
  // Whoever made the branch, nothing with a secret or a conflict marker reaches the main line.
  const changed = await changedPaths(store, main, staged);
  const texts: Array<{ file: string; text: string }> = [];
  for (const [path, oid] of changed)
    if (oid) texts.push({ file: join(store.root, path), text: await readBlobText(store, oid) });
  assertCommittable(texts, (file) => relative(store.root, file));
  const entries = await entriesAt(store, staged);
  const changes: Changes = new Map([[repoPath(store, INDEX_FILE), renderIndex(entries)]]);
  const commit = await writeCommit(store, {
    ref: tmp,
    parents: [main, head],
    baseTree: treeOid,
    changes,
    message: `memory: accept proposal of run ${run}\n\nrun: ${run}\naccepted-by: ${person.name} <${person.email}>`,
    author: person,
  });
  await git.deleteRef({ fs: store.fs, gitdir: store.gitdir, ref: tmp });
  const files = await advanceMainLine(store, target, main, commit);
  await git.deleteBranch({ fs: store.fs, gitdir: store.gitdir, ref: ref.slice("refs/heads/".length) });
  const conflicted = entries
    .filter((e) => e.meta.status === "conflicted" && files.includes(repoPath(store, e.file)))
    .map((e) => e.file);
  await note(store, { run, actor: `person:${person.name}` }, `memory proposal ${run} accepted`, { files, conflicted });
  return { commit, files: files.map((f) => memoryPath(store, f) ?? f), conflicted };
}

/** Drops the run's proposal; the main line is not touched. */
export async function rejectProposal(store: MemoryStore, run: string, person: Person = store.author): Promise<void> {
  return withMemoryLock(store, () => rejectProposalLocked(store, run, person));
}

async function rejectProposalLocked(store: MemoryStore, run: string, person: Person): Promise<void> {
  const { ref } = await proposalRange(store, run);
  await git.deleteBranch({ fs: store.fs, gitdir: store.gitdir, ref: ref.slice("refs/heads/".length) });
  await note(store, { run, actor: `person:${person.name}` }, `memory proposal ${run} rejected`);
}

async function note(
  store: MemoryStore,
  ctx: { run: string; actor: string },
  message: string,
  data?: Record<string, unknown>,
) {
  await store.audit?.append({ type: "memory", run: ctx.run, actor: ctx.actor, message, ...(data ? { data } : {}) });
}
