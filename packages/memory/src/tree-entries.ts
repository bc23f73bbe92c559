import { type MemoryEntry, parseEntry } from "./entry-format.js";
import { listTree, readBlobText } from "./commit-tree.js";
import { INDEX_FILE, type MemoryStore, memoryPath } from "./store.js";

/** The entries recorded in a commit (not the working folder), for regenerating MEMORY.md after a merge. */
export async function entriesAt(store: MemoryStore, commit: string | undefined): Promise<MemoryEntry[]> {
  const out: MemoryEntry[] = [];
  for (const [path, oid] of await listTree(store, commit)) {
    const file = memoryPath(store, path);
    if (!file?.endsWith(".md") || file === INDEX_FILE || file === "README.md") continue;
    const parsed = parseEntry(await readBlobText(store, oid), file);
    if (parsed.ok) out.push(parsed.entry);
  }
  return out;
}

/** Text of one file inside the memory folder at a commit, or null when it is not there. */
export async function fileAt(store: MemoryStore, commit: string | undefined, repoFile: string): Promise<string | null> {
  const oid = (await listTree(store, commit)).get(repoFile);
  return oid ? readBlobText(store, oid) : null;
}
