import { bodyStartLine, type EntryProblem, type MemoryEntry, parseEntry } from "./entry-format.js";
import { contentProblems } from "./guard.js";

/**
 * What the run-start audit, MEMORY.md and the agent's context need from one entry
 * file, without its text: the parse (entry or schema problems), the secrets and
 * conflict markers found in it, its size and the lines findings point at. It is a
 * pure function of the file's path and bytes, which is what lets parse-cache.ts
 * keep it by blob id.
 */
export interface FileSummary {
  /** Path inside the memory folder. */
  file: string;
  /** git's blob id of the bytes this summary was made from. */
  oid: string;
  bytes: number;
  entry?: MemoryEntry;
  /** Schema problems (or the size limit), each with its line. */
  problems: EntryProblem[];
  /** Secrets and conflict markers, each with its line. */
  content: { line: number; message: string }[];
  /** Lines the audit's findings name. */
  lines: { expires: number; updated: number; status: number; body: number };
  /** Over the size limit: never read. */
  tooBig?: true;
}

export function summarise(file: string, oid: string, text: string): FileSummary {
  const parsed = parseEntry(text, file);
  return {
    file,
    oid,
    bytes: Buffer.byteLength(text),
    ...(parsed.ok ? { entry: parsed.entry } : {}),
    problems: parsed.ok ? [] : parsed.problems,
    content: contentProblems(file, text).map((d) => ({ line: d.line, message: d.message })),
    lines: {
      expires: lineOf(text, "expires"),
      updated: lineOf(text, "updated"),
      status: lineOf(text, "status"),
      body: bodyStartLine(text),
    },
  };
}

/** A summary for a file over the size limit, which is reported and never read. */
export function tooBigSummary(file: string, oid: string, bytes: number, problem: EntryProblem): FileSummary {
  return {
    file,
    oid,
    bytes,
    problems: [problem],
    content: [],
    lines: { expires: 1, updated: 1, status: 1, body: 1 },
    tooBig: true,
  };
}

/** Whether the file holds a secret (what keeps an entry from every agent context). */
export function holdsSecret(summary: Pick<FileSummary, "content">): boolean {
  return summary.content.some((c) => c.message.startsWith("secret"));
}

function lineOf(text: string, key: string): number {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l, i) => i > 0 && l.startsWith(`${key}:`));
  return at < 0 ? 1 : at + 1;
}
