import type { MemoryEntry } from "./entry-format.js";
import type { FileSummary } from "./file-summary.js";
import { type AuditReport, auditWithFiles } from "./audit.js";
import { renderIndex } from "./index-file.js";
import { type EntryOrigin, entryOrigins } from "./provenance.js";
import { listEntries } from "./search.js";
import type { MemoryStore } from "./store.js";
import { type SyncResult, syncMemory } from "./sync.js";

export interface RunStartOptions {
  run: string;
  actor?: string;
  /** THREAD.md `memory.remote`: an https URL, or a remote name already configured ("origin"). */
  remote?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunStartMemory {
  sync?: SyncResult;
  /** Why sync did not happen; the run goes on with the memory it has. */
  syncError?: string;
  report: AuditReport;
  /** Only what an agent may see. */
  entries: MemoryEntry[];
  /** MEMORY.md as an agent should read it: built from the visible entries only. */
  index: string;
  /** Whose text each visible entry is, by id (provenance.ts), from the blob ids the audit already had. */
  origins: Map<string, EntryOrigin>;
}

/** Step 1 of a run (ARCHITECTURE.md): pull memory, audit it, and hand back what the agent may see. */
export async function memoryAtRunStart(store: MemoryStore, options: RunStartOptions): Promise<RunStartMemory> {
  let sync: SyncResult | undefined;
  let syncError: string | undefined;
  if (options.remote && store.mode === "own") {
    try {
      const url = /^https?:\/\//.test(options.remote) ? options.remote : undefined;
      sync = await syncMemory(store, {
        ...(url ? { url } : {}),
        ...(options.env ? { env: options.env } : {}),
        noPush: true,
      });
    } catch (error) {
      syncError = (error as Error).message;
    }
  }
  // Summaries by blob id (parse-cache.ts): an unchanged memory is one git status (or stat walk) and one cache read.
  const { report, files, index } = await auditWithFiles(store, {
    run: options.run,
    ...(options.actor ? { actor: options.actor } : {}),
  });
  const entries = await listEntries(store, { files });
  // Asked only for pulled entries: no map of 10,000 blob ids is built for a memory nothing was pulled into.
  let byFile: Map<string, FileSummary> | undefined;
  const oids = {
    get(file: string) {
      byFile ??= new Map(files.map((f) => [f.file, f]));
      return byFile.get(file)?.oid || undefined;
    },
  };
  let parsed = 0;
  for (const f of files) if (f.entry) parsed++;
  return {
    ...(sync ? { sync } : {}),
    ...(syncError ? { syncError } : {}),
    report,
    entries,
    // The audit rendered it from every parsed entry: the same when none is hidden.
    index: entries.length === parsed ? index : renderIndex(entries),
    origins: await entryOrigins(store, entries, oids),
  };
}
