import type { MemoryEntry } from "./entry-format.js";
import type { EntryMeta } from "./schema.js";

/** What MEMORY.md shows of an entry (a whole MemoryEntry is one). */
export type IndexRow = Pick<MemoryEntry, "id" | "file" | "topic"> & {
  meta: Pick<EntryMeta, "name" | "description" | "status">;
};

export const INDEX_MAX_LINES = 200;

// localeCompare's order, from one collator: localeCompare makes one per call, a third of a 10,000-entry render.
const byId = new Intl.Collator().compare;

/**
 * MEMORY.md: one line per entry from its description, grouped by topic, never longer
 * than 200 lines (an agent reads it whole at the start of a run). Only active entries
 * are listed; the rest are still in the folder and in `worksite memory list`.
 */
export function renderIndex(entries: readonly IndexRow[]): string {
  const head = [
    "# Memory",
    "",
    "<!-- Generated from each entry's description by worksite. Edit the entries, not this file. -->",
  ];
  const listed = entries.filter((e) => e.meta.status !== "superseded");
  const body: string[] = [];
  let topic: string | undefined;
  for (const e of firstInOrder(listed, INDEX_MAX_LINES)) {
    // Past the limit the lines are cut below anyway: 10,000 entries need only the first 200 built.
    if (head.length + body.length > INDEX_MAX_LINES) break;
    if (e.topic !== topic) {
      topic = e.topic;
      body.push("", `## ${topic}`, "");
    }
    const mark = e.meta.status === "conflicted" ? " (conflicted: needs review)" : "";
    body.push(`- [${e.meta.name}](${e.file}) — ${e.meta.description}${mark}`);
  }
  let lines = [...head, ...body];
  if (lines.length > INDEX_MAX_LINES) {
    const kept = lines.slice(0, INDEX_MAX_LINES - 2);
    const shown = kept.filter((l) => l.startsWith("- [")).length;
    lines = [...kept, "", `… and ${listed.length - shown} more entries: run \`worksite memory list\`.`];
  }
  return `${lines.join("\n")}\n`;
}

/*
 * The first `k` rows in id order, as a stable sort would give them: each entry takes at least a line,
 * so no more than INDEX_MAX_LINES are ever shown. Sorting all 10,000 with the collator took ~130,000
 * comparisons; kept against the k-th so far, rows already near id order (paths are) take about one each.
 */
function firstInOrder<T extends { id: string }>(rows: readonly T[], k: number): T[] {
  const best: T[] = [];
  for (const row of rows) {
    if (best.length === k && byId(row.id, best[k - 1]!.id) >= 0) continue;
    // After every row that sorts equal to it: the order a stable sort keeps.
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byId(best[mid]!.id, row.id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, row);
    if (best.length > k) best.pop();
  }
  return best;
}
