import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import git from "isomorphic-git";
import { writeCommit } from "./commit-tree.js";
import { renderIndex } from "./index-file.js";
import { INDEX_FILE, loadFiles, type MemoryStore, type Person, repoPath } from "./store.js";
import { mainRef } from "./worktree.js";

export interface HandEdit {
  /** Path inside the memory folder. */
  file: string;
  change: "added" | "modified" | "deleted";
}

/** Edits in the working folder that no commit records yet (git status of the memory folder). */
export async function handEdits(store: MemoryStore): Promise<HandEdit[]> {
  const rows = await git.statusMatrix({
    fs,
    dir: store.root,
    gitdir: store.gitdir,
    filepaths: [store.prefix || "."],
    cache: store.cache,
    // Inside the worksite's repository the index belongs to the person's git too: only read it.
    refresh: store.mode === "own",
    filter: (f) => f.endsWith(".md"),
  });
  const out: HandEdit[] = [];
  for (const [path, h, w] of rows) {
    if (h === 1 && w === 1) continue;
    const file = store.prefix ? path.slice(store.prefix.length + 1) : path;
    if (file.split("/").some((p) => p.startsWith("."))) continue;
    out.push({ file, change: h === 0 ? "added" : w === 0 ? "deleted" : "modified" });
  }
  return out;
}

/**
 * Records the hand edits as a commit by `person` on the main line, with MEMORY.md
 * regenerated. Refused when an edited file holds a secret or a conflict marker.
 */
export async function commitHandEdits(store: MemoryStore, message: string, person: Person = store.author): Promise<{ commit?: string; files: string[] }> {
  if (!message.trim()) throw new UserError("a commit message is needed", { hint: 'worksite memory commit -m "why this changed"' });
  const edits = await handEdits(store);
  const changes = new Map<string, string | null>();
  for (const e of edits) changes.set(repoPath(store, e.file), e.change === "deleted" ? null : await readFile(join(store.dir, e.file), "utf8"));
  const entries = (await loadFiles(store)).flatMap((f) => (f.entry ? [f.entry] : []));
  const index = renderIndex(entries);
  const indexPath = join(store.dir, INDEX_FILE);
  const onDisk = fs.existsSync(indexPath) ? await readFile(indexPath, "utf8") : undefined;
  if (onDisk !== index) {
    await fs.promises.writeFile(indexPath, index);
    changes.set(repoPath(store, INDEX_FILE), index);
  }
  if (!changes.size) return { files: [] };
  const ref = await mainRef(store);
  const commit = await writeCommit(store, { ref, changes, message: `${message.trim()}\n\nmemory: hand edit by ${person.name} <${person.email}>`, author: person });
  for (const [path, content] of changes) {
    if (content === null) await git.remove({ fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
    else await git.add({ fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
  }
  return { commit, files: [...changes.keys()] };
}
