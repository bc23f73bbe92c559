import { parseFrontmatter, SIZE_LIMITS, tooBigMessage } from "@worksite/core";
import type { z } from "zod";
import { type EntryMeta, entryMetaSchema, fieldHints, keyOrder } from "./schema.js";

/** One memory entry: `<topic>/<name>.md` inside the memory folder. */
export interface MemoryEntry {
  /** `topic/name`, the path without `.md`. */
  id: string;
  /** Path inside the memory folder, posix separators. */
  file: string;
  topic: string;
  meta: EntryMeta;
  body: string;
}

export interface EntryProblem {
  line: number;
  message: string;
  /** What to write instead, for a person. */
  hint?: string;
}

export type ParsedEntry =
  | { ok: true; entry: MemoryEntry }
  | { ok: false; problems: EntryProblem[]; meta?: Record<string, unknown>; body?: string };

/** Parse the text of `file` (path inside the memory folder). Never throws: problems come back with their line. */
export function parseEntry(text: string, file: string): ParsedEntry {
  // Checked before parsing, also for entries read from git objects rather than from disk.
  const bytes = Buffer.byteLength(text);
  if (bytes > SIZE_LIMITS.memoryEntry) return { ok: false, problems: [entryTooBig(bytes)] };
  const fm = parseFrontmatter(text, file);
  if (fm.ok && !fm.present)
    return { ok: false, problems: [{ line: 1, message: "an entry starts with a --- frontmatter block" }] };
  if (!fm.ok) return { ok: false, problems: fm.diagnostics.map((d) => ({ line: d.line, message: d.message })) };
  const data = normaliseDates(fm.data) as Record<string, unknown>;
  const body = fm.body.replace(/^\n/, "");
  // A key that is not written at all is reported on the opening --- line.
  const keyLine = (key: string) => (key && Object.hasOwn(data, key) ? fm.locate([key]).line : 1);
  const result = entryMetaSchema.safeParse(data);
  const problems: EntryProblem[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "");
      const hint = fieldHints[key];
      problems.push({
        line: keyLine(key),
        message: `${key ? `${key}: ` : ""}${describeIssue(issue, key ? data[key] : data)}`,
        ...(hint ? { hint } : {}),
      });
    }
  }
  const parts = file.split("/");
  const base = parts[parts.length - 1]!.replace(/\.md$/, "");
  if (parts.length !== 2) problems.push({ line: 1, message: "an entry lives at <topic>/<name>.md, one folder deep" });
  if (typeof data.name === "string" && data.name !== base)
    problems.push({
      line: keyLine("name"),
      message: `name "${data.name}" must equal the file name "${base}"`,
      hint: `set name: ${base}, or rename the file to ${data.name}.md`,
    });
  if (problems.length || !result.success) return { ok: false, problems, meta: data, body };
  return {
    ok: true,
    entry: { id: file.replace(/\.md$/, ""), file, topic: parts.length > 1 ? parts[0]! : "", meta: result.data, body },
  };
}

/**
 * A schema issue in a person's words: "is missing", "`note` is not a type", rather than the
 * validator's "Invalid input: expected string, received undefined". Messages the schema wrote
 * itself (regex and refine texts) are already worded for people and are kept.
 */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.path.length <= 1) return "is missing";
  switch (issue.code) {
    case "invalid_value":
      return `${JSON.stringify(value)} is not one of the allowed values`;
    case "invalid_type":
      return `is ${describeValue(value)}, expected ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
    case "invalid_union":
      return `${JSON.stringify(value)} is not allowed here`;
    case "too_small":
    case "too_big":
      return typeof value === "string" && value === "" ? "is empty" : issue.message;
    default:
      return issue.message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A memory entry over the limit, as a problem on its first line. */
export function entryTooBig(bytes: number): EntryProblem {
  return {
    line: 1,
    message: `${tooBigMessage("this entry", bytes, SIZE_LIMITS.memoryEntry)}: split it into smaller entries, one fact or decision each`,
  };
}

/** Serialise with keys in `keyOrder`, so two writers of the same entry produce the same bytes. */
export function serialiseEntry(meta: Record<string, unknown>, body: string): string {
  const keys = [
    ...keyOrder.filter((k) => meta[k] !== undefined),
    ...Object.keys(meta)
      .filter((k) => !(keyOrder as readonly string[]).includes(k) && meta[k] !== undefined)
      .sort(),
  ];
  const lines = keys.map((k) => `${k}: ${yamlValue(meta[k])}`);
  const text = body.replace(/^\n+/, "").replace(/\s+$/, "");
  return `---\n${lines.join("\n")}\n---\n\n${text}\n`;
}

/** Line in the file where the body starts (1-based), for naming body lines. */
export function bodyStartLine(text: string): number {
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) if (lines[i] === "---") return i + 2;
  return 1;
}

function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => yamlScalar(v)).join(", ")}]`;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return yamlScalar(value);
}

function yamlScalar(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const s = String(value);
  // Plain when YAML would read it back as the same string; double-quoted (a JSON string is valid YAML) otherwise.
  const plain =
    /^[A-Za-z0-9_./@(][^\n]*$/.test(s) &&
    !/: | #|:$/.test(s) &&
    !/\s$/.test(s) &&
    !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?\d+)?)$/i.test(s) &&
    !/[,[\]{}]/.test(s) &&
    !/^\d{4}-\d{2}-\d{2}T/.test(s);
  return plain ? s : JSON.stringify(s);
}

/** js-yaml turns `2025-01-31` into a Date; entries keep dates as the text the person wrote. */
function normaliseDates(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map(normaliseDates);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, normaliseDates(v)]));
  return value;
}
