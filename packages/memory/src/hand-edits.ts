import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SIZE_LIMITS, UserError } from "@worksite/core";
import { prefetchTrees, resolveOptional, writeCommit } from "./commit-tree.js";
import { checkAndFillEdits } from "./fill-fields.js";
import { renderIndex } from "./index-file.js";
import { updateIndex } from "./index-update.js";
import { withMemoryLock } from "./lock.js";
import { type FileSummary, summarise } from "./file-summary.js";
import { headFields, openParseCache, type ParseCache, type Stamp } from "./parse-cache.js";
import { indexRows, isEntryFile } from "./scan-files.js";
import { INDEX_FILE, type MemoryStore, type Person, repoPath } from "./store.js";
import { mainRef } from "./worktree.js";
import { blobId, type HandEdit, type Known, statusByGitCli, workingChanges } from "./working-status.js";

export type { HandEdit } from "./working-status.js";

/**
 * Edits in the working folder that no commit records yet: the folder's `.md`
 * files against HEAD. By the git CLI's status when git is installed, else by
 * the index's stat cache (working-status.ts); the same answer either way.
 * `loaded` lets the audit reuse the texts or blob ids it already has.
 */
export async function handEdits(store: MemoryStore, loaded?: readonly Known[]): Promise<HandEdit[]> {
  return workingChanges(store, loaded);
}

/**
 * Records the hand edits as a commit by `person` on the main line, with MEMORY.md
 * regenerated. Refused when an edited file holds a secret or a conflict marker.
 */
export async function commitHandEdits(
  store: MemoryStore,
  message: string,
  person: Person = store.author,
): Promise<{ commit?: string; files: string[]; filled?: string[] }> {
  if (!message.trim())
    throw new UserError("a commit message is needed", { hint: 'worksite memory commit -m "why this changed"' });
  // The edits are read under the lock too: a commit that waited must see the tree the one before it made.
  return withMemoryLock(store, () => commitEdits(store, message, person));
}

async function commitEdits(
  store: MemoryStore,
  message: string,
  person: Person,
): Promise<{ commit?: string; files: string[]; filled?: string[] }> {
  // The git CLI's status, when it answers, also lists the folder for MEMORY.md below (scan-files.ts).
  const status = statusByGitCli(store);
  // While git works in its own process, this one reads and checks the cache's MEMORY.md fields.
  const cache = await openParseCache(store);
  cache.preload("heads");
  const byGit = await status;
  const edits = byGit ?? (await handEdits(store));
  const ref = await mainRef(store);
  const head = await resolveOptional(store, ref);
  // git reads the trees this commit rewrites while the edits are checked and MEMORY.md rendered.
  const prefetched = head
    ? prefetchTrees(store, head, [...edits.map((e) => repoPath(store, e.file)), repoPath(store, INDEX_FILE)])
    : undefined;
  // Refuses an entry that fails the schema; fills created/updated/source into the file (issue 12).
  const filled = await checkAndFillEdits(store, edits, person);
  const changes = new Map<string, string | null>();
  const texts = new Map<string, string | null>();
  for (const e of edits) {
    const text = e.change === "deleted" ? null : await readFile(join(store.dir, e.file), "utf8");
    changes.set(repoPath(store, e.file), text);
    texts.set(e.file, text);
  }
  const indexPath = join(store.dir, INDEX_FILE);
  const onDisk = fs.existsSync(indexPath) ? await readFile(indexPath, "utf8") : undefined;
  // When no MEMORY.md row changed, MEMORY.md stands as it is: the other rows are not even read.
  const kept = byGit && head ? keptRows(cache, head, texts, onDisk) : undefined;
  let index = onDisk ?? "";
  let save: (stamp: () => Promise<Stamp | undefined>) => Promise<void>;
  if (kept)
    save = async (stamp) => {
      const st = await stamp();
      if (st) await cache.saveCommitted(kept, st);
    };
  else {
    // From the parse cache by blob id: only the edited files are read and parsed again (issue 13 item 2).
    const scanned = await indexRows(store, byGit, cache);
    save = scanned.save;
    index = renderIndex(scanned.rows);
    if (onDisk !== index) {
      await fs.promises.writeFile(indexPath, index);
      changes.set(repoPath(store, INDEX_FILE), index);
    }
  }
  if (!changes.size) {
    // Nothing committed, so nothing to stamp heads with.
    await save(async () => undefined);
    return { files: [] };
  }
  const commit = await writeCommit(store, {
    ref,
    ...(prefetched ? { prefetched } : {}),
    changes,
    message: `${message.trim()}\n\nmemory: hand edit by ${person.name} <${person.email}>`,
    author: person,
  });
  // One index update for all paths, not one read and rewrite of a 10,000-entry index per file (issue 13 item 2).
  const removed = [...changes].filter(([, content]) => content === null).map(([path]) => path);
  const added = [...changes].filter(([, content]) => content !== null).map(([path]) => path);
  // The cache is written while git update-index rewrites the index in its own process; heads is now the new commit's.
  const stamp = async () => ({ commit, index: blobId(Buffer.from(index, "utf8")) });
  await Promise.all([updateIndex(store, added, removed), save(stamp)]);
  return { commit, files: [...changes.keys()], ...(filled.length ? { filled } : {}) };
}

/**
 * The edited entries' new summaries when none of them changes a MEMORY.md row (name, description,
 * status; none added or removed), MEMORY.md itself is as `heads` rendered it, and `heads` lists
 * exactly HEAD's entry files (its stamp): MEMORY.md then stays, whatever the other 10,000 rows are.
 * Otherwise undefined, and the commit renders MEMORY.md from every row.
 */
function keptRows(
  cache: ParseCache,
  head: string,
  texts: ReadonlyMap<string, string | null>,
  onDisk: string | undefined,
): Map<string, FileSummary | null> | undefined {
  const stamp = cache.stamp();
  if (stamp?.commit !== head || onDisk === undefined || texts.has(INDEX_FILE)) return undefined;
  if (blobId(Buffer.from(onDisk, "utf8")) !== stamp.index) return undefined;
  const out = new Map<string, FileSummary | null>();
  for (const [file, text] of texts) {
    if (!isEntryFile(file)) continue;
    // A path the cache cannot hold has no heads line to compare with.
    if (/[\t\n\r]/.test(file)) return undefined;
    const was = cache.headFields(file)?.fields ?? "[]";
    if (text === null) {
      if (was !== "[]") return undefined;
      out.set(file, null);
      continue;
    }
    if (Buffer.byteLength(text) > SIZE_LIMITS.memoryEntry) return undefined;
    const summary = summarise(file, blobId(Buffer.from(text, "utf8")), text);
    if (headFields(summary) !== was) return undefined;
    out.set(file, summary);
  }
  return out;
}
