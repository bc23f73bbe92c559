import { UserError } from "@worksite/core";
import type { MemoryEntry } from "./entry-format.js";
import type { FileSummary } from "./file-summary.js";
import { type LoadedFile, loadFiles, type MemoryStore, today } from "./store.js";
import { hiddenReason } from "./visibility.js";

export interface SearchQuery {
  /** Words that must all appear (case-insensitive) in the name, description, tags or body. */
  text?: string;
  /** Every one of these tags. */
  tags?: string[];
  type?: string;
  topic?: string;
  limit?: number;
}

export interface SearchHit {
  id: string;
  file: string;
  name: string;
  description: string;
  type: string;
  tags: string[];
  status: string;
  score: number;
}

export interface ReadOptions {
  /** Agents never see expired, forgotten, unparseable or secret-bearing entries. Default true. */
  forAgent?: boolean;
  /** Already-loaded files, to avoid reading the folder twice. */
  files?: readonly (LoadedFile | FileSummary)[];
}

/** Entries a reader may see: for an agent, only those that pass `hiddenReason`. */
export async function listEntries(store: MemoryStore, options: ReadOptions = {}): Promise<MemoryEntry[]> {
  const files = options.files ?? (await loadFiles(store));
  const day = today(store);
  const out: MemoryEntry[] = [];
  for (const f of files) if (f.entry && (options.forAgent === false || !hiddenReason(f, day))) out.push(f.entry);
  return out;
}

export async function searchMemory(
  store: MemoryStore,
  query: SearchQuery,
  options: ReadOptions = {},
): Promise<SearchHit[]> {
  const words = (query.text ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const hits: SearchHit[] = [];
  for (const e of await listEntries(store, options)) {
    const m = e.meta;
    if (query.type && m.type !== query.type) continue;
    if (query.topic && e.topic !== query.topic) continue;
    if (query.tags?.some((t) => !m.tags.includes(t))) continue;
    const head = `${m.name} ${m.description} ${m.tags.join(" ")}`.toLowerCase();
    const body = e.body.toLowerCase();
    let score = 0;
    let all = true;
    for (const w of words) {
      const inHead = head.includes(w);
      if (!inHead && !body.includes(w)) {
        all = false;
        break;
      }
      score += inHead ? 3 : 1;
    }
    if (!all) continue;
    hits.push({
      id: e.id,
      file: e.file,
      name: m.name,
      description: m.description,
      type: m.type,
      tags: m.tags,
      status: m.status,
      score,
    });
  }
  hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return hits.slice(0, query.limit ?? 20);
}

/** One entry by `topic/name` or by a name that only one topic holds. */
export async function readMemory(store: MemoryStore, ref: string, options: ReadOptions = {}): Promise<MemoryEntry> {
  const files = options.files ?? (await loadFiles(store));
  const wanted = ref.replace(/\.md$/, "");
  const matches = files.filter(
    (f) => f.file.replace(/\.md$/, "") === wanted || f.file.split("/").pop() === `${wanted}.md`,
  );
  if (matches.length > 1)
    throw new UserError(`"${ref}" names ${matches.length} entries`, {
      hint: `say which: ${matches.map((m) => m.file.replace(/\.md$/, "")).join(", ")}`,
    });
  const file = matches[0];
  if (!file)
    throw new UserError(`no memory entry "${ref}"`, {
      hint: "search with memory.search, or list with worksite memory list",
    });
  if (options.forAgent !== false) {
    const why = hiddenReason(file, today(store));
    if (why) throw new UserError(`memory entry "${ref}" is withheld: ${why}`);
  }
  if (!file.entry) throw new UserError(`memory entry "${ref}" does not parse`, { hint: "run worksite memory audit" });
  return file.entry;
}
