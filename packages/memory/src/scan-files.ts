import fs from "node:fs";
import { join } from "node:path";
import { readTextWithin, SIZE_LIMITS, UserError } from "@worksite/core";
import { entryTooBig } from "./entry-format.js";
import { type FileSummary, summarise, tooBigSummary } from "./file-summary.js";
import { cachedOid, readGitIndex, readIndexOids } from "./git-index.js";
import type { IndexRow } from "./index-file.js";
import { resolveOptional } from "./commit-tree.js";
import { renderIndex } from "./index-file.js";
import { type Keep, openParseCache, type ParseCache, rowOf, type Stamp } from "./parse-cache.js";
import { mainRef } from "./worktree.js";
import { INDEX_FILE, listEntryFiles, type MemoryStore, memoryPath, repoPath } from "./store.js";
import { blobId, type HandEdit, tracked, useGitCli } from "./working-status.js";

/**
 * Every entry file in the working folder, summarised (file-summary.ts), at the cost
 * of what changed: a file whose stat still matches `.git/index` takes its blob id
 * from there, and a blob id the parse cache knows takes its summary from there;
 * only the rest are read, hashed, parsed and scanned. Sorted by path.
 */
/**
 * The git CLI's status of the folder: given, or still running (a promise), so that the cache is
 * read and checked in this process while git works in its own.
 */
export type GitStatus = readonly HandEdit[] | undefined | Promise<readonly HandEdit[] | undefined>;

export async function scanFiles(
  store: MemoryStore,
  byGit?: GitStatus,
  opened?: Promise<ParseCache>,
): Promise<FileSummary[]> {
  const { out, save } = await walk(
    store,
    byGit,
    "shards",
    (cache, file, oid) => cache.get(file, oid),
    (s) => s,
    opened,
  );
  // A folder git finds clean is HEAD's: heads, if written now, is stamped with it (parse-cache.ts Stamp).
  await save(async () => {
    if ((await byGit)?.length !== 0) return undefined;
    const head = await resolveOptional(store, await mainRef(store));
    const index = renderIndex(out.flatMap((f) => (f.entry ? [f.entry] : [])));
    return head ? { commit: head, index: blobId(Buffer.from(index, "utf8")) } : undefined;
  });
  return out;
}

/**
 * What MEMORY.md needs of every valid entry, the same way: what `memory commit` regenerates it from.
 * `save` writes the cache back; the commit calls it while `git update-index` runs.
 */
export async function indexRows(
  store: MemoryStore,
  byGit?: GitStatus,
  opened?: ParseCache,
): Promise<{ rows: IndexRow[]; save: (stamp?: () => Promise<Stamp | undefined>) => Promise<void> }> {
  const { out, save } = await walk<IndexRow | null>(
    store,
    byGit,
    "heads",
    (cache, file, oid) => cache.row(file, oid),
    (s) => (s.entry ? rowOf(s.entry) : null),
    opened,
  );
  return { rows: out.filter((r): r is IndexRow => r !== null), save };
}

/*
 * `byGit`: the git CLI's status of the folder. Every file it does not
 * name is what the index records (git checked its stat, ctime and racy cases in C),
 * so the blob ids come from the index without a stat walk here; the files it
 * names, and index entries git does not watch (assume-unchanged, skip-worktree),
 * are read. Without it, each file's stat is checked against the index here.
 */
async function walk<T>(
  store: MemoryStore,
  byGit: GitStatus,
  kind: "heads" | "shards",
  hit: (cache: ParseCache, file: string, oid: string) => T | undefined,
  fromSummary: (s: FileSummary) => T,
  opened?: ParseCache | Promise<ParseCache>,
): Promise<{ out: T[]; save: (stamp?: () => Promise<Stamp | undefined>) => Promise<void> }> {
  const cache = await (opened ?? openParseCache(store));
  // Before waiting for git, which runs on the other core: the sealed summaries (~8 MB at 10,000 entries)
  // and `.git/index` are read meanwhile (issue 13 item 2). git status never writes the index here
  // (--no-optional-locks), so this is the index git compares against.
  cache.preload(kind);
  // With the git CLI only the blob ids are needed of the index; without it, its stat cache too.
  const cli = useGitCli(store);
  const oids = cli ? readIndexOids(store.gitdir) : undefined;
  let index = cli ? undefined : readGitIndex(store.gitdir);
  const status = await byGit;
  const listed = status && oids ? listedByGit(store, oids, status) : undefined;
  if (!listed && cli) index = readGitIndex(store.gitdir);
  const files = listed?.files ?? (await listEntryFiles(store));
  // Without an index (a repository's first commit) every file is one git status named, when it answered.
  const named = status && !listed ? new Set(status.map((e) => e.file)) : undefined;
  const exact = listed ? listed.exact : named !== undefined && files.every((f) => named.has(f));
  const out: T[] = new Array(files.length);
  // What the cache is to keep, as blob ids by position: Keep objects are made only when there is something to write.
  const keepOids: (string | undefined)[] = new Array(files.length);
  const fresh = new Map<number, FileSummary>();
  const toRead: number[] = [];
  const skip = new Set<number>();
  files.forEach((file, i) => {
    let oid: string | undefined;
    if (listed) {
      oid = listed.oids.get(file);
      // A link or folder where the index had a file is no entry (listEntryFiles skips them too).
      if (!oid && !isRegular(store, file)) {
        skip.add(i);
        return;
      }
    } else {
      let stat: fs.BigIntStats;
      try {
        stat = fs.statSync(join(store.dir, file), { bigint: true });
      } catch {
        toRead.push(i); // gone since the listing: the read below says so
        return;
      }
      if (stat.size > BigInt(SIZE_LIMITS.memoryEntry)) {
        out[i] = fromSummary(tooBigSummary(file, "", Number(stat.size), entryTooBig(Number(stat.size))));
        return;
      }
      oid = cachedOid(index, repoPath(store, file), stat);
    }
    const found = oid ? hit(cache, file, oid) : undefined;
    if (oid && found !== undefined) {
      out[i] = found;
      keepOids[i] = oid;
    } else toRead.push(i);
  });
  // Read what neither the index and the cache know, 64 at a time: enough to overlap I/O, never 10,000 open files.
  for (let at = 0; at < toRead.length; at += 64) {
    const batch = toRead.slice(at, at + 64);
    const reads = await Promise.all(
      batch.map((i) => readTextWithin(join(store.dir, files[i]!), SIZE_LIMITS.memoryEntry)),
    );
    batch.forEach((i, j) => {
      const file = files[i]!;
      const got = reads[j]!;
      if (!got.ok) {
        if (got.problem !== "too-big")
          throw new UserError(`memory entry ${file} cannot be read (${got.code ?? got.problem})`, {
            hint: "check the file's permissions",
          });
        out[i] = fromSummary(tooBigSummary(file, "", got.size, entryTooBig(got.size)));
        return;
      }
      const oid = blobId(Buffer.from(got.text, "utf8"));
      const found = hit(cache, file, oid);
      if (found !== undefined) {
        out[i] = found;
        keepOids[i] = oid;
        return;
      }
      const summary = summarise(file, oid, got.text);
      out[i] = fromSummary(summary);
      keepOids[i] = oid;
      fresh.set(i, summary);
    });
  }
  return {
    out: skip.size ? out.filter((_, i) => !skip.has(i)) : out,
    // A stamp holds only when every file's blob id is the index's or one git status named (none unwatched).
    save: async (stamp) => {
      let kept = 0;
      for (const oid of keepOids) if (oid !== undefined) kept++;
      if (!fresh.size && cache.unchanged(kept)) return;
      const keep: Keep[] = [];
      keepOids.forEach((oid, i) => {
        if (oid === undefined) return;
        const summary = fresh.get(i);
        keep.push(summary ? { file: files[i]!, oid, fresh: summary } : { file: files[i]!, oid });
      });
      await cache.save(keep, exact ? stamp : undefined);
    },
  };
}

function isRegular(store: MemoryStore, file: string): boolean {
  try {
    return fs.lstatSync(join(store.dir, file)).isFile();
  } catch {
    return false;
  }
}

/** The entry files and the blob ids of those git status found unchanged. */
function listedByGit(
  store: MemoryStore,
  index: ReadonlyMap<string, string | null>,
  byGit: readonly HandEdit[],
): { files: string[]; oids: Map<string, string>; exact: boolean } {
  const changed = new Map(byGit.map((e) => [e.file, e.change]));
  const files = new Set<string>();
  const oids = new Map<string, string>();
  for (const [path, oid] of index) {
    const file = memoryPath(store, path);
    if (file === undefined || !isEntryFile(file)) continue;
    const change = changed.get(file);
    if (change === "deleted") continue;
    files.add(file);
    if (!change && oid !== null) oids.set(file, oid);
  }
  for (const e of byGit) if (e.change !== "deleted" && isEntryFile(e.file)) files.add(e.file);
  let exact = true;
  for (const file of files) if (!oids.has(file) && !changed.has(file)) exact = false;
  return { files: [...files].sort(), oids, exact };
}

/** What listEntryFiles lists: Markdown outside dot folders, not MEMORY.md or README.md at the top. */
export function isEntryFile(file: string): boolean {
  return tracked(file) && !(file === INDEX_FILE || file === "README.md");
}
