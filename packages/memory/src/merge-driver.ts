import type { MergeDriverCallback } from "isomorphic-git";
import { parseEntry, serialiseEntry } from "./entry-format.js";
import { INDEX_FILE } from "./store.js";

export interface EntryMergeInput {
  base: string;
  ours: string;
  theirs: string;
  oursLabel: string;
  theirsLabel: string;
}

/**
 * Three-way merge of one entry that both sides changed. Frontmatter merges key by key
 * (tags as a union, `updated` as the later date); the body merges when only one side
 * changed it. Otherwise both versions are kept side by side in the body under
 * "## Version from …" and the entry is marked `status: conflicted` for a person to
 * settle. It never writes a conflict marker and never drops either side.
 */
export function mergeEntryText(input: EntryMergeInput): { text: string; conflicted: boolean } {
  const file = "topic/x.md";
  const parse = (t: string) => (t ? parseEntry(t, file) : undefined);
  const [b, o, t] = [parse(input.base), parse(input.ours), parse(input.theirs)];
  const meta = (p: ReturnType<typeof parse>) =>
    p ? (p.ok ? (p.entry.meta as Record<string, unknown>) : p.meta) : undefined;
  const body = (p: ReturnType<typeof parse>, raw: string) => (p ? (p.ok ? p.entry.body : p.body) : undefined) ?? raw;
  const om = meta(o);
  const tm = meta(t);
  if (!om || !tm) return sideBySide(input, undefined, input.ours, input.theirs);
  const bm = meta(b) ?? {};
  const merged: Record<string, unknown> = {};
  const clashes: string[] = [];
  for (const key of new Set([...Object.keys(om), ...Object.keys(tm)])) {
    const [bv, ov, tv] = [bm[key], om[key], tm[key]].map((v) => JSON.stringify(v));
    if (ov === tv || tv === bv) merged[key] = om[key];
    else if (ov === bv) merged[key] = tm[key];
    else if (key === "updated") merged[key] = String(om[key]) > String(tm[key]) ? om[key] : tm[key];
    else if (key === "tags" && Array.isArray(om[key]) && Array.isArray(tm[key]))
      merged[key] = [...new Set([...(om[key] as unknown[]), ...(tm[key] as unknown[])])];
    else if (key === "status") merged[key] = om[key];
    else if (key === "created") merged[key] = String(om[key]) < String(tm[key]) ? om[key] : tm[key];
    // Both sources are true: each side learnt it somewhere.
    else if (key === "source") merged[key] = `${String(om[key])}; ${String(tm[key])}`;
    else {
      merged[key] = om[key];
      clashes.push(key);
    }
    if (merged[key] === undefined) delete merged[key];
  }
  const [bb, ob, tb] = [b ? body(b, input.base) : "", body(o, input.ours), body(t, input.theirs)];
  let mergedBody: string | undefined;
  if (ob === tb || tb === bb) mergedBody = ob;
  else if (ob === bb) mergedBody = tb;
  if (mergedBody !== undefined && !clashes.length)
    return { text: serialiseEntry(merged, mergedBody), conflicted: false };
  const note = (m: Record<string, unknown>) => clashes.map((k) => `- ${k}: ${JSON.stringify(m[k])}`).join("\n");
  const oursPart = [clashes.length ? `Frontmatter on this side:\n\n${note(om)}\n` : "", ob.trim()]
    .filter(Boolean)
    .join("\n");
  const theirsPart = [clashes.length ? `Frontmatter on this side:\n\n${note(tm)}\n` : "", tb.trim()]
    .filter(Boolean)
    .join("\n");
  return sideBySide(input, { ...merged, status: "conflicted" }, oursPart, theirsPart);
}

function sideBySide(input: EntryMergeInput, meta: Record<string, unknown> | undefined, ours: string, theirs: string) {
  const body = [
    `Both sides changed this entry; keep what is true, delete the rest and set status: active.`,
    "",
    `## Version from ${input.oursLabel}`,
    "",
    ours.trim(),
    "",
    `## Version from ${input.theirsLabel}`,
    "",
    theirs.trim(),
  ].join("\n");
  // A file that does not parse still keeps both sides, as plain text.
  return { text: meta ? serialiseEntry(meta, body) : `${body}\n`, conflicted: true };
}

/**
 * The per-file driver handed to isomorphic-git's merge. It always reports a clean
 * merge, because a conflict is recorded inside the entry instead of as markers;
 * MEMORY.md takes our side and is regenerated after the merge.
 */
export function memoryMergeDriver(labels?: { ours?: string; theirs?: string }): MergeDriverCallback {
  return ({ branches, contents, path }) => {
    const [base = "", ours = "", theirs = ""] = contents;
    if (path === INDEX_FILE) return { cleanMerge: true, mergedText: ours };
    const { text } = mergeEntryText({
      base,
      ours,
      theirs,
      oursLabel: labels?.ours ?? branches[1] ?? "ours",
      theirsLabel: labels?.theirs ?? branches[2] ?? "theirs",
    });
    return { cleanMerge: true, mergedText: text };
  };
}
