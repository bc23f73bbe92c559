import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { z } from "zod";
import { WorksiteError } from "../errors.js";
import type { AuditEntry } from "./types.js";

export interface RawLine {
  /** 1-based. */
  number: number;
  text: string;
  /** False for a last line with no trailing newline: a write cut off by a crash. */
  terminated: boolean;
}

/** Lines of a file, streamed, each with its number and whether it ended with "\n". A missing file has none. */
export async function* readLines(path: string): AsyncGenerator<RawLine> {
  const stream = createReadStream(path, { encoding: "utf8" });
  let rest = "";
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      rest += chunk;
      let from = 0;
      let at: number;
      while ((at = rest.indexOf("\n", from)) >= 0) {
        yield { number: ++number, text: rest.slice(from, at), terminated: true };
        from = at + 1;
      }
      rest = rest.slice(from);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (rest !== "") yield { number: ++number, text: rest, terminated: false };
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits");
export const auditEntrySchema = z.looseObject({
  seq: z.number().int().positive(),
  time: z.string().min(1),
  prev: hex64,
  hash: hex64,
  type: z.string().min(1),
  actor: z.string(),
});

export type ParsedLine = { ok: true; entry: AuditEntry } | { ok: false; problem: string };

/** One line as an entry, or what is wrong with it in words a person can act on. */
export function parseLine(line: RawLine): ParsedLine {
  if (!line.terminated)
    return { ok: false, problem: "incomplete line (no trailing newline): a write was cut off, probably by a crash" };
  if (line.text.trim() === "") return { ok: false, problem: "empty line" };
  let json: unknown;
  try {
    json = JSON.parse(line.text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = auditEntrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `not an audit entry: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "wrong shape"}`,
    };
  }
  return { ok: true, entry: parsed.data as unknown as AuditEntry };
}

/**
 * Every entry; a line that is not an entry is an "audit-corrupt" error naming it. A last line with no newline
 * is not an entry yet (a write in progress, or one a kill cut off, which the next append removes): it is left out.
 */
export async function readEntries(path: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const line of readLines(path)) {
    if (!line.terminated) break;
    const parsed = parseLine(line);
    if (!parsed.ok) throw corrupt(path, line.number, parsed.problem);
    out.push(parsed.entry);
  }
  return out;
}

export function corrupt(path: string, line: number | undefined, problem: string): WorksiteError {
  const where = line === undefined ? `the last line of ${path}` : `${path}:${line}`;
  return new WorksiteError(
    "audit-corrupt",
    `audit log is damaged: ${where}: ${problem}. Nothing more is appended until it is repaired; run \`worksite audit verify\` to see the first bad line.`,
  );
}

/**
 * The last line of a file of `size` bytes, read backwards in chunks. Synchronous: the writer reads it once
 * when it takes the lock, where each asynchronous step cost a thread-pool round trip (issue 13 item 1).
 */
export function readLastLine(path: string, size: number): RawLine | undefined {
  const last = lastLine(path, size);
  // The line number is not known without reading everything; callers that need it run verify.
  return last && { number: 0, text: last.bytes.toString("utf8"), terminated: last.terminated };
}

/** The last line's bytes (without its newline), the offset they start at, and whether a newline ends them. */
export function lastLine(path: string, size: number): { at: number; bytes: Buffer; terminated: boolean } | undefined {
  if (size === 0) return undefined;
  const fd = openSync(path, "r");
  try {
    const chunk = 64 * 1024;
    let buffers: Buffer[] = [];
    let end = size;
    let terminated: boolean | undefined;
    for (;;) {
      const start = Math.max(0, end - chunk);
      let buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      if (terminated === undefined) {
        terminated = buf[buf.length - 1] === 0x0a;
        if (terminated) buf = buf.subarray(0, buf.length - 1);
      }
      const at = buf.lastIndexOf(0x0a);
      if (at >= 0 || start === 0) {
        buffers = [buf.subarray(at + 1), ...buffers];
        return { at: start + at + 1, bytes: Buffer.concat(buffers), terminated };
      }
      buffers = [buf, ...buffers];
      end = start;
    }
  } finally {
    closeSync(fd);
  }
}
