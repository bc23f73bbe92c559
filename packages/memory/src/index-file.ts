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
  const listed = entries.filter((e) => e.meta.status !== "superseded").sort((a, b) => byId(a.id, b.id));
  const body: string[] = [];
  let topic: string | undefined;
  for (const e of listed) {
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
