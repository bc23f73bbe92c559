import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import { prefetchTrees, resolveOptional, writeCommit } from "./commit-tree.js";
import { checkAndFillEdits } from "./fill-fields.js";
import { renderIndex } from "./index-file.js";
import { updateIndex } from "./index-update.js";
import { withMemoryLock } from "./lock.js";
import { openParseCache } from "./parse-cache.js";
import { indexRows } from "./scan-files.js";
import { INDEX_FILE, type MemoryStore, type Person, repoPath } from "./store.js";
import { mainRef } from "./worktree.js";
import { type HandEdit, type Known, statusByGitCli, workingChanges } from "./working-status.js";

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
  for (const e of edits)
    changes.set(
      repoPath(store, e.file),
      e.change === "deleted" ? null : await readFile(join(store.dir, e.file), "utf8"),
    );
  // From the parse cache by blob id: only the edited files are read and parsed again (issue 13 item 2).
  const { rows, save } = await indexRows(store, byGit, cache);
  const index = renderIndex(rows);
  const indexPath = join(store.dir, INDEX_FILE);
  const onDisk = fs.existsSync(indexPath) ? await readFile(indexPath, "utf8") : undefined;
  if (onDisk !== index) {
    await fs.promises.writeFile(indexPath, index);
    changes.set(repoPath(store, INDEX_FILE), index);
  }
  if (!changes.size) {
    await save();
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
  // The cache is written while git update-index rewrites the index in its own process.
  await Promise.all([updateIndex(store, added, removed), save()]);
  return { commit, files: [...changes.keys()], ...(filled.length ? { filled } : {}) };
}
