import fs from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MemoryEntry } from "./entry-format.js";
import { cachedOid, type GitIndex, readGitIndex } from "./git-index.js";
import { type MemoryStore, repoPath } from "./store.js";
import { blobId } from "./working-status.js";

/**
 * Who an entry's text is from, as the round context tells the model (issue 20):
 * - `person`: written or last committed here by a person;
 * - `agent`: proposed by an agent run (`source: run:…`) and accepted onto the main line;
 * - `pulled`: brought in by `memory sync` from the remote and not changed here since.
 */
export type EntryOrigin = "person" | "agent" | "pulled";

/** Pulled blobs, kept in the memory repository's own git folder, where no agent tool writes. */
const LEDGER = "worksite-pulled.json";

type Ledger = Record<string, string>;

async function readLedger(store: MemoryStore): Promise<Ledger> {
  try {
    return JSON.parse(await readFile(join(store.gitdir, LEDGER), "utf8")) as Ledger;
  } catch {
    return {};
  }
}

/** Notes the blobs a pull brought in: repository path → blob id. A later local commit changes the blob, and the entry is then the person's. */
export async function recordPulled(store: MemoryStore, pulled: ReadonlyMap<string, string | null>): Promise<void> {
  if (!pulled.size) return;
  const ledger = await readLedger(store);
  for (const [path, oid] of pulled) {
    if (oid) ledger[path] = oid;
    else delete ledger[path];
  }
  await writeFile(join(store.gitdir, LEDGER), `${JSON.stringify(ledger, null, 1)}\n`);
}

/**
 * Each entry's origin, by id. `known`: the blob id of each entry file as the caller has it (the run
 * start's audit took them from git's index or hashed them once), so no file is read again; without
 * it a file's blob id comes from `.git/index` while its stat still matches, and only the rest are hashed.
 */
export async function entryOrigins(
  store: MemoryStore,
  entries: readonly MemoryEntry[],
  known?: Pick<ReadonlyMap<string, string>, "get">,
): Promise<Map<string, EntryOrigin>> {
  const ledger = await readLedger(store);
  const out = new Map<string, EntryOrigin>();
  let index: GitIndex | undefined | null = null;
  for (const e of entries) {
    const path = repoPath(store, e.file);
    const pulled = ledger[path];
    if (pulled && (await blobIdOf(e.file)) === pulled) {
      out.set(e.id, "pulled");
      continue;
    }
    out.set(e.id, e.meta.source?.startsWith("run:") ? "agent" : "person");
  }
  return out;

  async function blobIdOf(file: string): Promise<string | undefined> {
    const given = known?.get(file);
    if (given) return given;
    const disk = join(store.dir, file);
    try {
      if (index === null) index = readGitIndex(store.gitdir);
      const stated = cachedOid(index, repoPath(store, file), fs.statSync(disk, { bigint: true }));
      return stated ?? blobId(await fs.promises.readFile(disk));
    } catch {
      return undefined;
    }
  }
}
