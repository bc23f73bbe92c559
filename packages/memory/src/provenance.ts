import fs from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import type { MemoryEntry } from "./entry-format.js";
import { type MemoryStore, repoPath } from "./store.js";

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

/** Each entry's origin, by id. */
export async function entryOrigins(
  store: MemoryStore,
  entries: readonly MemoryEntry[],
): Promise<Map<string, EntryOrigin>> {
  const ledger = await readLedger(store);
  const out = new Map<string, EntryOrigin>();
  for (const e of entries) {
    const pulled = ledger[repoPath(store, e.file)];
    if (pulled) {
      const text = await fs.promises.readFile(join(store.dir, e.file)).catch(() => undefined);
      if (text && (await git.hashBlob({ object: text })).oid === pulled) {
        out.set(e.id, "pulled");
        continue;
      }
    }
    out.set(e.id, e.meta.source?.startsWith("run:") ? "agent" : "person");
  }
  return out;
}
