import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, parseFrontmatter, UserError } from "@worksite/core";
import git from "isomorphic-git";
import { parseEntry } from "./entry-format.js";
import type { HandEdit } from "./hand-edits.js";
import { INDEX_FILE, type MemoryStore, type Person, repoPath, today } from "./store.js";

/** Files in the memory folder that are not entries: the index and a person's README. */
const NOT_ENTRIES = new Set([INDEX_FILE, "README.md"]);

/**
 * Before `memory commit` records hand edits: every added or changed entry must pass
 * the schema (else the commit is refused, each problem with its line and a hint: an
 * invalid entry would be committed and then hidden from agents), and the fields a
 * person need not write are filled into the file: `created` (the day git first
 * recorded the file, or today), `updated` (today) and `source` (the person's git
 * identity). The person's own lines are left as written; filled ones go last.
 */
export async function checkAndFillEdits(store: MemoryStore, edits: HandEdit[], person: Person): Promise<string[]> {
  const filled: { file: string; path: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const edit of edits) {
    if (edit.change === "deleted" || NOT_ENTRIES.has(edit.file)) continue;
    const path = join(store.dir, edit.file);
    const text = await readFile(path, "utf8");
    const missing = await missingFields(store, edit, text, person);
    const next = Object.keys(missing).length ? insertFields(text, missing) : text;
    const parsed = parseEntry(next, edit.file);
    if (!parsed.ok) {
      for (const p of parsed.problems)
        diagnostics.push({
          file: path,
          line: p.line,
          severity: "error",
          message: p.message,
          ...(p.hint ? { hint: p.hint } : {}),
        });
      continue;
    }
    if (next !== text) filled.push({ file: edit.file, path, text: next });
  }
  if (diagnostics.length)
    throw new UserError(
      `nothing committed: ${diagnostics.length === 1 ? "an entry fails" : `entries fail`} the memory schema (${diagnostics.length === 1 ? "1 problem" : `${diagnostics.length} problems`})`,
      {
        diagnostics,
        hint: "fix the lines above (name, description and type are all a person needs to write), then commit again",
      },
    );
  // Written only once every entry passed: a refused commit leaves every file as the person left it.
  for (const f of filled) await writeFile(f.path, f.text);
  return filled.map((f) => f.file);
}

async function missingFields(
  store: MemoryStore,
  edit: HandEdit,
  text: string,
  person: Person,
): Promise<Record<string, string>> {
  const fm = parseFrontmatter(text, edit.file);
  if (!fm.ok || !fm.present) return {};
  const has = (key: string) => fm.data[key] !== undefined && fm.data[key] !== null && fm.data[key] !== "";
  const out: Record<string, string> = {};
  const day = today(store);
  if (!has("source")) out.source = `${person.name} <${person.email}>`;
  if (!has("created")) out.created = (edit.change === "modified" && (await firstRecorded(store, edit.file))) || day;
  if (!has("updated")) out.updated = day;
  return out;
}

/** The day (UTC) of the oldest commit on the main line that holds this file. */
async function firstRecorded(store: MemoryStore, file: string): Promise<string | undefined> {
  try {
    const commits = await git.log({
      fs: store.fs,
      gitdir: store.gitdir,
      filepath: repoPath(store, file),
      cache: store.cache,
    });
    const oldest = commits[commits.length - 1];
    return oldest ? new Date(oldest.commit.committer.timestamp * 1000).toISOString().slice(0, 10) : undefined;
  } catch {
    return undefined;
  }
}

/** Adds `key: value` lines just before the closing `---`, quoting values YAML would misread. */
function insertFields(text: string, fields: Record<string, string>): string {
  const lines = text.split("\n");
  const close = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l));
  if (close < 0) return text;
  const plain = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) || (/^[\w .@<>+-]+$/.test(v) && !/^[\d-]/.test(v));
  const added = Object.entries(fields).map(([k, v]) => `${k}: ${plain(v) ? v : JSON.stringify(v)}`);
  return [...lines.slice(0, close), ...added, ...lines.slice(close)].join("\n");
}
