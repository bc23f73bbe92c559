import fs from "node:fs";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import git from "isomorphic-git";
import { listTree, writeCommit } from "./commit-tree.js";
import { checkAndFillEdits } from "./fill-fields.js";
import { renderIndex } from "./index-file.js";
import { withMemoryLock } from "./lock.js";
import { INDEX_FILE, loadFiles, type MemoryStore, memoryPath, type Person, repoPath } from "./store.js";
import { mainRef } from "./worktree.js";

export interface HandEdit {
  /** Path inside the memory folder. */
  file: string;
  change: "added" | "modified" | "deleted";
}

/**
 * Edits in the working folder that no commit records yet: the folder's `.md`
 * files against HEAD's tree, by blob id. The same answer as isomorphic-git's
 * statusMatrix (head vs. working tree), without its per-file stat and index
 * walk, which cost seconds at 10,000 entries (bench/RESULTS.md, "Memory").
 * `loaded` lets the audit reuse the texts it has already read.
 */
export async function handEdits(
  store: MemoryStore,
  loaded?: readonly { file: string; text: string; tooBig?: true }[],
): Promise<HandEdit[]> {
  const head = await git.resolveRef({ fs, gitdir: store.gitdir, ref: "HEAD" }).catch(() => undefined);
  const committed = new Map<string, string>();
  for (const [path, oid] of await listTree(store, head)) {
    const file = memoryPath(store, path);
    if (file !== undefined && tracked(file)) committed.set(file, oid);
  }
  // An entry over the size limit was not read by loadFiles; it is read here only to compare with git's copy.
  const texts = new Map((loaded ?? []).filter((f) => !f.tooBig).map((f) => [f.file, f.text]));
  const files = await markdownFiles(store.dir);
  // Read what the caller did not, 64 at a time: enough to overlap I/O without opening 10,000 files at once.
  const missing = files.filter((f) => !texts.has(f));
  for (let i = 0; i < missing.length; i += 64) {
    const batch = missing.slice(i, i + 64);
    const read = await Promise.all(batch.map((f) => readFile(join(store.dir, f), "utf8")));
    for (const [j, f] of batch.entries()) texts.set(f, read[j]!);
  }
  const out: HandEdit[] = [];
  for (const file of files) {
    const text = texts.get(file)!;
    const was = committed.get(file);
    committed.delete(file);
    if (was === undefined) out.push({ file, change: "added" });
    else if (was !== blobId(text)) out.push({ file, change: "modified" });
  }
  for (const file of committed.keys()) out.push({ file, change: "deleted" });
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** The id git gives a file's content. */
function blobId(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Markdown files a person edits: not under a dot folder (.git, .obsidian …). */
function tracked(file: string): boolean {
  return file.endsWith(".md") && !file.split("/").some((p) => p.startsWith("."));
}

async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const item of await readdir(join(dir, rel), { withFileTypes: true })) {
      if (item.name.startsWith(".")) continue;
      const path = rel ? `${rel}/${item.name}` : item.name;
      if (item.isDirectory()) await walk(path);
      else if (item.isFile() && item.name.endsWith(".md")) out.push(path);
    }
  };
  await walk("");
  return out;
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
  const edits = await handEdits(store);
  // Refuses an entry that fails the schema; fills created/updated/source into the file (issue 12).
  const filled = await checkAndFillEdits(store, edits, person);
  const changes = new Map<string, string | null>();
  for (const e of edits)
    changes.set(
      repoPath(store, e.file),
      e.change === "deleted" ? null : await readFile(join(store.dir, e.file), "utf8"),
    );
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
  const commit = await writeCommit(store, {
    ref,
    changes,
    message: `${message.trim()}\n\nmemory: hand edit by ${person.name} <${person.email}>`,
    author: person,
  });
  for (const [path, content] of changes) {
    if (content === null)
      await git.remove({ fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
    else await git.add({ fs, dir: store.root, gitdir: store.gitdir, filepath: path, cache: store.cache });
  }
  return { commit, files: [...changes.keys()], ...(filled.length ? { filled } : {}) };
}
