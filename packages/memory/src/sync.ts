import { UserError } from "@worksite/core";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { withMemoryLock } from "./lock.js";
import { type Changes, readBlobText, resolveOptional, writeCommit } from "./commit-tree.js";
import { parseEntry } from "./entry-format.js";
import { assertNoCredentialsInUrl, credentialsFromEnv } from "./http-credentials.js";
import { renderIndex } from "./index-file.js";
import { memoryMergeDriver } from "./merge-driver.js";
import { recordPulled } from "./provenance.js";
import { INDEX_FILE, type MemoryStore, memoryPath, repoPath } from "./store.js";
import { entriesAt } from "./tree-entries.js";
import { advanceMainLine, changedPaths, mainRef } from "./worktree.js";

export interface SyncOptions {
  /** The remote's URL; stored as `origin` (without credentials). Default: the configured origin. */
  url?: string;
  /** Where credentials are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Pull only. */
  noPush?: boolean;
}

export interface PulledEntry {
  /** Path inside the memory folder. */
  file: string;
  /** Removed by the pull. */
  deleted?: boolean;
  /** The author of the remote's last commit to the file: who wrote what came in. */
  author?: string;
  /** The entry's own `source:` line, when it is an entry. */
  source?: string;
}

export interface SyncResult {
  /** Files (inside the memory folder) that the pull changed here. */
  pulled: string[];
  /** What the pull brought in, file by file, and who wrote it. */
  brought: PulledEntry[];
  /** Entries both sides had edited: kept side by side, status conflicted, for a person to settle. */
  conflicted: string[];
  pushed: boolean;
  /** What happened, in words. */
  outcome: "up-to-date" | "fast-forward" | "merged" | "pushed-only" | "cloned";
}

const REMOTE = "origin";

/**
 * Pull (fetch, then fast-forward or merge with the entry-aware driver), then push.
 * A push the server rejects because someone pushed meanwhile is retried once after
 * another pull.
 */
export async function syncMemory(store: MemoryStore, options: SyncOptions = {}): Promise<SyncResult> {
  if (store.mode !== "own")
    throw new UserError(`${store.dir} is a folder of the worksite's repository, so it syncs with that repository`, {
      hint: "use git pull/push for the worksite, or give memory a repository of its own (git: own) with a remote",
    });
  return withMemoryLock(store, () => syncLocked(store, options));
}

async function syncLocked(store: MemoryStore, options: SyncOptions): Promise<SyncResult> {
  const url = await configureRemote(store, options.url);
  const auth = credentialsFromEnv(options.env ?? process.env);
  let result = await pull(store, url, auth);
  if (options.noPush) return result;
  for (let attempt = 0; ; attempt++) {
    try {
      const pushed = await push(store, auth);
      return { ...result, pushed, outcome: pushed && result.outcome === "up-to-date" ? "pushed-only" : result.outcome };
    } catch (error) {
      if ((error as { code?: string }).code !== "PushRejectedError" || attempt > 0) throw wrap(error, url);
      const again = await pull(store, url, auth);
      result = {
        ...again,
        pulled: [...new Set([...result.pulled, ...again.pulled])],
        brought: [...result.brought.filter((b) => !again.pulled.includes(b.file)), ...again.brought],
        conflicted: [...new Set([...result.conflicted, ...again.conflicted])],
      };
    }
  }
}

async function configureRemote(store: MemoryStore, url: string | undefined): Promise<string> {
  const current = await git.getConfig({ fs: store.fs, gitdir: store.gitdir, path: `remote.${REMOTE}.url` });
  if (url) {
    assertNoCredentialsInUrl(url);
    if (current !== url) await git.addRemote({ fs: store.fs, gitdir: store.gitdir, remote: REMOTE, url, force: true });
    return url;
  }
  if (typeof current !== "string" || !current)
    throw new UserError("memory has no remote to sync with", {
      hint: "set THREAD.md memory.remote, or pass --remote URL once",
    });
  return current;
}

async function pull(store: MemoryStore, url: string, auth: ReturnType<typeof credentialsFromEnv>): Promise<SyncResult> {
  const ref = await mainRef(store);
  const branch = ref.slice("refs/heads/".length);
  try {
    await git.fetch({
      fs: store.fs,
      http,
      gitdir: store.gitdir,
      remote: REMOTE,
      ref: branch,
      singleBranch: true,
      tags: false,
      cache: store.cache,
      ...auth,
    });
  } catch (error) {
    // An empty remote has no branch to fetch yet: the first push creates it.
    if ((error as { code?: string }).code !== "NotFoundError") throw wrap(error, url);
  }
  const theirs = await resolveOptional(store, `refs/remotes/${REMOTE}/${branch}`);
  const ours = await resolveOptional(store, ref);
  const none: SyncResult = { pulled: [], brought: [], conflicted: [], pushed: false, outcome: "up-to-date" };
  if (!theirs || theirs === ours) return none;
  await assertSafePaths(store, theirs, url);
  if (!ours) {
    const files = await advanceMainLine(store, ref, undefined, theirs);
    return {
      ...none,
      ...(await broughtIn(store, undefined, theirs, theirs)),
      pulled: inside(store, files),
      outcome: "cloned",
    };
  }
  const [base] = await git.findMergeBase({
    fs: store.fs,
    gitdir: store.gitdir,
    oids: [ours, theirs],
    cache: store.cache,
  });
  if (base === theirs) return none;
  if (base === ours) {
    const files = await advanceMainLine(store, ref, ours, theirs);
    return {
      ...none,
      ...(await broughtIn(store, ours, theirs, theirs)),
      pulled: inside(store, files),
      outcome: "fast-forward",
    };
  }
  const result = await git
    .merge({
      fs: store.fs,
      gitdir: store.gitdir,
      ours: ref,
      theirs: `refs/remotes/${REMOTE}/${branch}`,
      noUpdateBranch: true,
      abortOnConflict: true,
      author: { name: store.author.name, email: store.author.email },
      mergeDriver: memoryMergeDriver({ ours: `${store.author.name} (this copy)`, theirs: `${REMOTE}/${branch}` }),
      cache: store.cache,
    })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === "MergeConflictError")
        throw new UserError(
          "one side deleted an entry the other changed; memory keeps entries and marks them superseded instead",
          {
            hint: "restore the deleted file on one side, commit, and sync again",
            cause: error,
          },
        );
      throw error;
    });
  const tree = (await git.readCommit({ fs: store.fs, gitdir: store.gitdir, oid: result.oid!, cache: store.cache }))
    .commit.tree;
  const tmp = "refs/worksite/memory-tmp/sync";
  const draft = await writeCommit(store, {
    ref: tmp,
    parents: [ours, theirs],
    baseTree: tree,
    changes: new Map(),
    message: "tmp",
    author: store.author,
  });
  const entries = await entriesAt(store, draft);
  const changes: Changes = new Map([[repoPath(store, INDEX_FILE), renderIndex(entries)]]);
  const merged = await writeCommit(store, {
    ref: tmp,
    parents: [ours, theirs],
    baseTree: tree,
    changes,
    message: `memory: merge ${REMOTE}/${branch}\n\nauthor: ${store.author.name} <${store.author.email}>`,
    author: store.author,
  });
  await git.deleteRef({ fs: store.fs, gitdir: store.gitdir, ref: tmp });
  const conflicted: string[] = [];
  for (const [path, oid] of await changedPaths(store, theirs, merged)) {
    const file = memoryPath(store, path);
    if (!oid || !file) continue;
    const parsed = parseEntry(await readBlobText(store, oid), file);
    if (parsed.ok && parsed.entry.meta.status === "conflicted") conflicted.push(file);
  }
  const files = await advanceMainLine(store, ref, ours, merged);
  await store.audit?.append({
    type: "memory",
    actor: "worksite",
    message: `memory sync merged ${REMOTE}/${branch}${conflicted.length ? `; ${conflicted.length} entries conflicted, kept side by side` : ""}`,
    data: { conflicted },
  });
  return {
    ...(await broughtIn(store, ours, merged, theirs)),
    pulled: inside(store, files),
    conflicted,
    pushed: false,
    outcome: "merged",
  };
}

async function push(store: MemoryStore, auth: ReturnType<typeof credentialsFromEnv>): Promise<boolean> {
  const ref = await mainRef(store);
  const branch = ref.slice("refs/heads/".length);
  const ours = await resolveOptional(store, ref);
  const theirs = await resolveOptional(store, `refs/remotes/${REMOTE}/${branch}`);
  if (!ours || ours === theirs) return false;
  const result = await git.push({
    fs: store.fs,
    http,
    gitdir: store.gitdir,
    remote: REMOTE,
    ref: branch,
    cache: store.cache,
    ...auth,
  });
  if (!result.ok) throw new Error(`push refused: ${result.error ?? JSON.stringify(result.refs)}`);
  return true;
}

/**
 * What a pull brought in (the files that differ between our old main line and the new one) and who
 * wrote each on the remote; the blobs are recorded so the round context can show them as pulled.
 */
async function broughtIn(
  store: MemoryStore,
  from: string | undefined,
  to: string,
  theirs: string,
): Promise<{ brought: PulledEntry[] }> {
  const changed = await changedPaths(store, from, to);
  const fromRemote = new Map([...changed].filter(([p]) => p !== repoPath(store, INDEX_FILE)));
  await recordPulled(store, fromRemote);
  const brought: PulledEntry[] = [];
  for (const [path, oid] of fromRemote) {
    const file = memoryPath(store, path);
    if (!file) continue;
    if (!oid) {
      brought.push({ file, deleted: true });
      continue;
    }
    const [last] = await git
      .log({ fs: store.fs, gitdir: store.gitdir, ref: theirs, filepath: path, depth: 1, cache: store.cache })
      .catch(() => []);
    const parsed = parseEntry(await readBlobText(store, oid), file);
    brought.push({
      file,
      ...(last ? { author: `${last.commit.author.name} <${last.commit.author.email}>` } : {}),
      ...(parsed.ok ? { source: parsed.entry.meta.source } : {}),
    });
  }
  return { brought };
}

/**
 * Refuses a remote whose tree holds a path that could leave the memory folder or reach git's own files
 * (`..`, an absolute name, a `.git` segment, a backslash): nothing is written, and the error names them.
 */
async function assertSafePaths(store: MemoryStore, theirs: string, url: string): Promise<void> {
  const unsafe: string[] = [];
  const walk = async (oid: string, at: string) => {
    let entries;
    try {
      entries = (await git.readTree({ fs: store.fs, gitdir: store.gitdir, oid, cache: store.cache })).tree;
    } catch (error) {
      // isomorphic-git refuses a tree holding `.git` or `..` outright; name the path instead of its bare error.
      const bad =
        (error as { code?: string; data?: { filepath?: string } }).code === "UnsafeFilepathError"
          ? (error as { data?: { filepath?: string } }).data?.filepath
          : undefined;
      if (bad === undefined) throw error;
      unsafe.push(at ? `${at}/${bad}` : bad);
      return;
    }
    for (const e of entries) {
      const path = at ? `${at}/${e.path}` : e.path;
      if (
        e.path === "" ||
        e.path === "." ||
        e.path === ".." ||
        e.path.toLowerCase() === ".git" ||
        /[\\/]/.test(e.path) ||
        /^[A-Za-z]:/.test(e.path)
      )
        unsafe.push(path);
      else if (e.mode === "120000" || e.type === "commit")
        unsafe.push(`${path} (${e.mode === "120000" ? "a symbolic link" : "a submodule"})`);
      else if (e.type === "tree") await walk(e.oid, path);
    }
  };
  const { commit } = await git.readCommit({ fs: store.fs, gitdir: store.gitdir, oid: theirs, cache: store.cache });
  await walk(commit.tree, "");
  if (unsafe.length)
    throw new UserError(
      `the memory remote ${url} holds unsafe paths, so nothing was pulled: ${unsafe.slice(0, 10).join(", ")}${unsafe.length > 10 ? ` and ${unsafe.length - 10} more` : ""}`,
      {
        hint: "memory holds plain entry files only; remove those paths on the remote (or point memory.remote elsewhere), then sync again",
      },
    );
}

function inside(store: MemoryStore, paths: string[]): string[] {
  return paths.flatMap((p) => memoryPath(store, p) ?? []);
}

function wrap(error: unknown, url: string): Error {
  const code = (error as { code?: string }).code;
  if (code === "HttpError" || code === "UserCanceledError")
    return new UserError(`the memory remote ${url} refused: ${(error as Error).message}`, {
      hint: "check the URL, and set WORKSITE_GIT_TOKEN (or WORKSITE_GIT_USERNAME and WORKSITE_GIT_PASSWORD)",
      cause: error,
    });
  return error as Error;
}
