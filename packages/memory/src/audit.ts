import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MemoryEntry } from "./entry-format.js";
import { type FileSummary, summarise, tooBigSummary } from "./file-summary.js";
import { contentProblems } from "./guard.js";
import { handEdits } from "./hand-edits.js";
import { renderIndex } from "./index-file.js";
import { openParseCache } from "./parse-cache.js";
import { scanFiles } from "./scan-files.js";
import { INDEX_FILE, type LoadedFile, type MemoryStore, today } from "./store.js";
import { blobId, statusByGitCli } from "./working-status.js";

export type FindingKind =
  | "schema"
  | "secret"
  | "conflict-marker"
  | "conflicted"
  | "expired"
  | "stale"
  | "uncommitted"
  | "duplicate"
  | "oversized"
  | "index";

export interface Finding {
  /** "block" findings fail `worksite memory audit` and a run's start; "warn" ones are reported. */
  severity: "block" | "warn";
  kind: FindingKind;
  /** Path inside the memory folder. */
  file: string;
  line: number;
  message: string;
  /** What to write instead (schema findings). */
  hint?: string;
}

export interface AuditOptions {
  /** An entry not updated for this many days is reported as possibly stale. Default 365. */
  staleDays?: number;
  /** Entries larger than this many bytes are reported: they crowd an agent's context. Default 8 KiB. */
  maxBytes?: number;
  /** Who asked, for the audit log. */
  actor?: string;
  run?: string;
  /** Already-loaded files or summaries, to avoid reading the folder twice. Default: scanFiles (cached by blob id). */
  files?: readonly (LoadedFile | FileSummary)[];
}

export interface AuditReport {
  entries: number;
  findings: Finding[];
  blocking: boolean;
}

export async function auditMemory(store: MemoryStore, options: AuditOptions = {}): Promise<AuditReport> {
  return (await auditWithFiles(store, options)).report;
}

/** The audit, and the summaries it made (what a run start hands on to the agent's context). */
export async function auditWithFiles(
  store: MemoryStore,
  options: AuditOptions = {},
): Promise<{ report: AuditReport; files: FileSummary[]; index: string }> {
  // One git status serves both the listing (scan-files.ts) and the uncommitted findings.
  // Started here, awaited in scanFiles after the cache is read: git and this process work at once.
  // The cache's key is read before git is spawned, so the read goes on while the spawn forks this process.
  const opening = options.files ? undefined : openParseCache(store);
  const status = options.files ? undefined : statusByGitCli(store);
  const files = options.files ? options.files.map(toSummary) : await scanFiles(store, status, opening);
  const byGit = await status;
  const findings: Finding[] = [];
  const day = today(store);
  const staleBefore = new Date(store.now().getTime() - (options.staleDays ?? 365) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const maxBytes = options.maxBytes ?? 8192;
  // A file's path alone until a second file shares the key: 20,000 one-element lists were garbage at 10,000 entries.
  const byName = new Map<string, string | string[]>();
  const byDescription = new Map<string, string | string[]>();

  for (const f of files) {
    for (const p of f.problems)
      findings.push({
        severity: "block",
        kind: "schema",
        file: f.file,
        line: p.line,
        message: p.message,
        ...(p.hint ? { hint: p.hint } : {}),
      });
    for (const c of f.content) findings.push(contentFinding(f.file, c));
    if (!f.tooBig && f.bytes > maxBytes)
      findings.push({
        severity: "warn",
        kind: "oversized",
        file: f.file,
        line: f.lines.body,
        message: `${f.bytes} bytes (over ${maxBytes}): split it or trim it`,
      });
    const e = f.entry;
    if (!e) continue;
    const m = e.meta;
    if (m.expires && m.expires.slice(0, 10) < day)
      findings.push({
        severity: "warn",
        kind: "expired",
        file: f.file,
        line: f.lines.expires,
        message: `expired on ${m.expires}; hidden from agents (kept in the folder)`,
      });
    else if (m.status === "active" && m.updated && m.updated.slice(0, 10) < staleBefore)
      findings.push({
        severity: "warn",
        kind: "stale",
        file: f.file,
        line: f.lines.updated,
        message: `not updated since ${m.updated}: is it still true?`,
      });
    if (m.status === "conflicted")
      findings.push({
        severity: "warn",
        kind: "conflicted",
        file: f.file,
        line: f.lines.status,
        message: "both sides of a merge are kept here: settle it and set status: active",
      });
    if (m.status !== "superseded") {
      push(byName, m.name, f.file);
      push(byDescription, m.description.trim().toLowerCase(), f.file);
    }
  }
  for (const [map, named] of [
    [byName, true],
    [byDescription, false],
  ] as const)
    for (const [key, list] of map) {
      if (typeof list === "string") continue;
      for (const file of list) {
        const what = named ? `name "${key}"` : "description";
        findings.push({
          severity: "warn",
          kind: "duplicate",
          file,
          line: 2,
          message: `same ${what} as ${list.filter((x) => x !== file).join(", ")}`,
        });
      }
    }

  for (const extra of [INDEX_FILE, "README.md"]) {
    const path = join(store.dir, extra);
    if (fs.existsSync(path)) for (const x of contentFindings(extra, await readFile(path, "utf8"))) findings.push(x);
  }
  const indexPath = join(store.dir, INDEX_FILE);
  const parsed: MemoryEntry[] = [];
  for (const f of files) if (f.entry) parsed.push(f.entry);
  const index = renderIndex(parsed);
  const onDisk = fs.existsSync(indexPath) ? await readFile(indexPath, "utf8") : undefined;
  if (files.length && onDisk !== index)
    findings.push({
      severity: "warn",
      kind: "index",
      file: INDEX_FILE,
      line: 1,
      message: "out of date; worksite memory commit regenerates it",
    });

  // The status taken above when there was one: a second `git status` cost the run start ~25 ms at 10,000 entries.
  for (const edit of byGit ??
    (await handEdits(
      store,
      files.filter((f) => f.oid),
    )))
    findings.push({
      severity: "warn",
      kind: "uncommitted",
      file: edit.file,
      line: 1,
      message: `${edit.change} by hand and not committed; record it with worksite memory commit -m "…"`,
    });

  findings.sort((a, b) =>
    a.severity === b.severity ? a.file.localeCompare(b.file) || a.line - b.line : a.severity === "block" ? -1 : 1,
  );
  const report = { entries: files.length, findings, blocking: findings.some((f) => f.severity === "block") };
  await store.audit?.append({
    type: "memory",
    actor: options.actor ?? "worksite",
    ...(options.run ? { run: options.run } : {}),
    outcome: report.blocking ? "blocked" : "ok",
    message: `memory audit: ${findings.length} finding(s) in ${files.length} entries`,
    data: { findings: findings.slice(0, 100), total: findings.length },
  });
  return { report, files, index };
}

function contentFindings(file: string, text: string): Finding[] {
  return contentProblems(file, text).map((d) => contentFinding(file, d));
}

function contentFinding(file: string, d: { line: number; message: string }): Finding {
  return {
    severity: "block",
    kind: d.message === "conflict marker" ? "conflict-marker" : "secret",
    file,
    line: d.line,
    message:
      d.message === "conflict marker"
        ? "a merge conflict marker"
        : `${d.message}: the entry is kept out of every agent context`,
  };
}

/** Files a caller loaded itself are summarised here, uncached. */
function toSummary(f: LoadedFile | FileSummary): FileSummary {
  if ("oid" in f) return f;
  if (f.tooBig) return tooBigSummary(f.file, "", 0, f.problems[0] ?? { line: 1, message: "too big" });
  return summarise(f.file, blobId(Buffer.from(f.text, "utf8")), f.text);
}

function push(map: Map<string, string | string[]>, key: string, file: string) {
  const had = map.get(key);
  if (had === undefined) map.set(key, file);
  else if (typeof had === "string") map.set(key, [had, file]);
  else had.push(file);
}

export function formatFinding(f: Finding, displayPath: (file: string) => string = (x) => x): string {
  return `${displayPath(f.file)}:${f.line}: ${f.severity === "block" ? "error" : "warning"}: [${f.kind}] ${f.message}${f.hint ? `\n  hint: ${f.hint}` : ""}`;
}
