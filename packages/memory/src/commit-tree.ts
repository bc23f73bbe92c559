import { join, relative } from "node:path";
import git, { type TreeEntry } from "isomorphic-git";
import { type KnownTree, treesByCli } from "./cli-trees.js";
import { assertCommittable } from "./guard.js";
import {
  commitContent,
  objectsDir,
  parseTree,
  readLooseObject,
  treeContent,
  queueLooseObject,
} from "./loose-objects.js";
import type { MemoryStore, Person } from "./store.js";
import { useGitCli } from "./working-status.js";

/** Repository path → new content, or null to delete. */
export type Changes = Map<string, string | null>;

export interface WriteCommitOptions {
  /** Full ref to move, e.g. "refs/heads/main". */
  ref: string;
  /** Parents; default: what `ref` points at (none when it does not exist yet). */
  parents?: string[];
  /** Tree the changes apply to; default: the first parent's tree. */
  baseTree?: string;
  changes: Changes;
  message: string;
  author: Person;
  /** Only move the ref when it still points here (a stale writer must not drop commits). */
  expectOld?: string | null;
  /** Trees read ahead (prefetchTrees), used when they were read from this commit's base. */
  prefetched?: Promise<PrefetchedTrees>;
}

export interface PrefetchedTrees {
  treeish: string;
  trees: ReadonlyMap<string, KnownTree>;
}

/**
 * Starts reading, by the git CLI, the trees a commit of these repository paths onto `treeish` will
 * rewrite, so that git works while this process does other things (memory commit: while it checks
 * the edits and renders MEMORY.md). Without the git CLI it reads nothing.
 */
export function prefetchTrees(store: MemoryStore, treeish: string, paths: Iterable<string>): Promise<PrefetchedTrees> {
  const changes: Changes = new Map([...paths].map((p) => [p, null]));
  const trees = useGitCli(store) ? treesByCli(store, treeish, folderPaths(changedFolders(changes))) : undefined;
  return (trees ?? Promise.resolve(new Map<string, KnownTree>())).then((t) => ({ treeish, trees: t }));
}

/**
 * Builds a commit straight from trees and blobs: neither the index nor the working
 * tree is read or touched, so a proposal branch or the enclosing repository's other
 * files are never disturbed. Every path that writes a commit comes through here,
 * which is where secrets and conflict markers are refused.
 */
export async function writeCommit(store: MemoryStore, options: WriteCommitOptions): Promise<string> {
  const added = [...options.changes].filter((c): c is [string, string] => c[1] !== null);
  // Diagnostics name the file on disk, so a person can open it from wherever they stand.
  assertCommittable(
    added.map(([file, text]) => ({ file: join(store.root, file), text })),
    (file) => relative(store.root, file),
  );
  const current = await resolveOptional(store, options.ref);
  if (options.expectOld !== undefined && current !== (options.expectOld ?? undefined))
    throw new Error(`${options.ref} moved while writing; try again`);
  const parents = options.parents ?? (current ? [current] : []);
  const root = changedFolders(options.changes);
  // With the git CLI, the trees on a changed path come from one git cat-file (cli-trees.ts).
  const treeish = options.baseTree ?? parents[0];
  const ahead = await options.prefetched;
  const known: ReadonlyMap<string, KnownTree> =
    ahead && ahead.treeish === treeish
      ? ahead.trees
      : treeish && useGitCli(store)
        ? await treesByCli(store, treeish, folderPaths(root))
        : new Map();
  let base = options.baseTree;
  if (base === undefined && parents[0]) base = known.get("")?.oid ?? (await commitTree(store, parents[0]));
  const writes: Promise<void>[] = [];
  const tree = await build(store, objectsDir(store.gitdir), base, root, "", known, writes);
  const person = {
    name: options.author.name,
    email: options.author.email,
    timestamp: Math.floor(store.now().getTime() / 1000),
  };
  const oid = queueLooseObject(
    objectsDir(store.gitdir),
    "commit",
    commitContent({ tree, parents, author: person, committer: person, message: options.message }),
    writes,
  );
  // Every object on disk before the ref names the commit.
  await Promise.all(writes);
  await git.writeRef({ fs: store.fs, gitdir: store.gitdir, ref: options.ref, value: oid, force: true });
  return oid;
}

export async function resolveOptional(store: MemoryStore, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs: store.fs, gitdir: store.gitdir, ref });
  } catch {
    return undefined;
  }
}

const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/*
 * Trees and commits are read straight from their loose objects when they are loose (one read and one
 * inflate each), by isomorphic-git when packed: its reader took ~30 ms for the dozen trees of a
 * 10-file memory commit (issue 13 item 2).
 */
async function readTreeEntries(store: MemoryStore, objects: string, oid: string): Promise<TreeEntry[]> {
  const loose = readLooseObject(objects, oid);
  if (loose?.type === "tree") return parseTree(loose.content);
  return (await git.readTree({ fs: store.fs, gitdir: store.gitdir, oid, cache: store.cache })).tree;
}

async function commitTree(store: MemoryStore, oid: string): Promise<string> {
  const loose = readLooseObject(objectsDir(store.gitdir), oid);
  const tree =
    loose?.type === "commit" ? /^tree ([0-9a-f]{40})\n/.exec(loose.content.toString("latin1", 0, 46))?.[1] : undefined;
  return tree ?? (await git.readCommit({ fs: store.fs, gitdir: store.gitdir, oid, cache: store.cache })).commit.tree;
}

/** The changes as a tree of folders: only the folders on a changed path are rewritten. */
function changedFolders(changes: Changes): Node {
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const [path, content] of changes) {
    const parts = path.split("/");
    let node = root;
    for (const p of parts.slice(0, -1)) {
      let next = node.dirs.get(p);
      if (!next) node.dirs.set(p, (next = { files: new Map(), dirs: new Map() }));
      node = next;
    }
    node.files.set(parts[parts.length - 1]!, content);
  }
  return root;
}

/** Every folder on a changed path, "" for the root. */
function folderPaths(node: Node, at = ""): string[] {
  return [at, ...[...node.dirs].flatMap(([name, child]) => folderPaths(child, at ? `${at}/${name}` : name))];
}

interface Node {
  files: Map<string, string | null>;
  dirs: Map<string, Node>;
}

/** New tree = `base` with `node`'s changes applied; `known`: trees already read, by folder (used when the id matches). */
async function build(
  store: MemoryStore,
  objects: string,
  base: string | undefined,
  node: Node,
  at: string,
  known: ReadonlyMap<string, KnownTree>,
  writes: Promise<void>[],
): Promise<string> {
  const entries = new Map<string, TreeEntry>();
  const read = known.get(at);
  if (base && base !== EMPTY_TREE)
    for (const e of read?.oid === base ? read.entries : await readTreeEntries(store, objects, base))
      entries.set(e.path, e);
  for (const [name, content] of node.files) {
    if (content === null) entries.delete(name);
    else {
      const oid = queueLooseObject(objects, "blob", Buffer.from(content, "utf8"), writes);
      entries.set(name, { mode: "100644", path: name, oid, type: "blob" });
    }
  }
  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    const base = existing?.type === "tree" ? existing.oid : undefined;
    const oid = await build(store, objects, base, child, at ? `${at}/${name}` : name, known, writes);
    if (oid === EMPTY_TREE) entries.delete(name);
    else entries.set(name, { mode: "040000", path: name, oid, type: "tree" });
  }
  if (!entries.size) return EMPTY_TREE;
  return queueLooseObject(objects, "tree", treeContent([...entries.values()]), writes);
}

/** Every blob under `prefix` in a commit: repository path → oid. */
export async function listTree(store: MemoryStore, commit: string | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!commit) return out;
  const walk = async (oid: string, at: string) => {
    for (const e of (await git.readTree({ fs: store.fs, gitdir: store.gitdir, oid, cache: store.cache })).tree) {
      const path = at ? `${at}/${e.path}` : e.path;
      if (e.type === "tree") await walk(e.oid, path);
      else if (e.type === "blob") out.set(path, e.oid);
    }
  };
  const { commit: c } = await git.readCommit({ fs: store.fs, gitdir: store.gitdir, oid: commit, cache: store.cache });
  let tree = c.tree;
  if (store.prefix) {
    try {
      tree = (
        await git.readTree({
          fs: store.fs,
          gitdir: store.gitdir,
          oid: commit,
          filepath: store.prefix,
          cache: store.cache,
        })
      ).oid;
    } catch {
      return out;
    }
  }
  await walk(tree, store.prefix);
  return out;
}

export async function readBlobText(store: MemoryStore, oid: string): Promise<string> {
  const { blob } = await git.readBlob({ fs: store.fs, gitdir: store.gitdir, oid, cache: store.cache });
  return Buffer.from(blob).toString("utf8");
}
