import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { writeFileAtomicSync } from "../artifacts/atomic-file.js";

/**
 * The tail anchor: `<log>.head` holds `{seq, hash}` of the last entry an
 * append wrote. The chain alone cannot tell a log cut back to fewer lines
 * from a shorter one; the head can, because the log must still hold the entry
 * it names. It is written after the line, inside the append lock, so it is
 * never ahead of the log; a crash between the two leaves it one entry behind,
 * which is harmless. A missing head (an older log) anchors nothing. A second
 * copy lives in the person's state folder (anchor.ts), out of every command's reach.
 */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type HeadRead = { ok: true; head: AuditHead | undefined } | { ok: false; problem: string };

const headSchema = z.object({
  // 0 with the genesis hash: the log's writer started, nothing is synced yet (written before the first line).
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export function headPath(logPath: string): string {
  return `${logPath}.head`;
}

export async function readHead(logPath: string): Promise<HeadRead> {
  return readHeadAt(headPath(logPath));
}

/** A head record at `file` (the local head, or the anchor in the person's state folder). */
export async function readHeadAt(file: string): Promise<HeadRead> {
  const first = await readHeadOnce(file);
  if (first.ok) return first;
  // The writer rewrites a head in place (writer.ts): a read that raced that write is read again before it counts.
  await new Promise((r) => setTimeout(r, 5));
  return readHeadOnce(file);
}

async function readHeadOnce(file: string): Promise<HeadRead> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, head: undefined };
    throw error;
  }
  return parseHead(text, file);
}

/**
 * The same, read synchronously once: for the writer, which reads both heads when it takes the lock. Holding
 * the lock, no other writer can be rewriting them, so a read that finds a damaged record needs no second look.
 */
export function readHeadSync(file: string): HeadRead {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, head: undefined };
    throw error;
  }
  return parseHead(text, file);
}

function parseHead(text: string, file: string): HeadRead {
  // Created but never written: what a kill between a head's creation and its first record left (an older
  // version created it empty; this one creates it whole, by rename). It anchors nothing, as a missing head.
  if (text === "") return { ok: true, head: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = headSchema.safeParse(json);
  // Written in place by one small pwrite (or by rename, by older versions), it is not torn by a crash: a damaged head was edited.
  if (!parsed.success)
    return {
      ok: false,
      problem: `${basename(file)} is not a {seq, hash} record, so the end of the log cannot be checked`,
    };
  return { ok: true, head: parsed.data };
}

/** The head records are written in place, padded to this length: one pwrite, no temp file and rename per commit. */
export const HEAD_RECORD_BYTES = 128;

/** A head as the writer keeps it: the JSON record padded with spaces to HEAD_RECORD_BYTES, ending in a newline. */
export function headRecord(head: AuditHead): Buffer {
  const record = Buffer.alloc(HEAD_RECORD_BYTES, " ");
  record.write(JSON.stringify({ seq: head.seq, hash: head.hash }), 0, "utf8");
  record[HEAD_RECORD_BYTES - 1] = 0x0a;
  return record;
}

/** Creates a head whole (temp file + rename), so a kill never leaves an empty one. */
export function createHeadSync(file: string, head: AuditHead): void {
  writeFileAtomicSync(file, headRecord(head));
}

/** "entry seq 5 (hash 3f9c2a1b7e0d…)" */
export function describeHead(head: AuditHead): string {
  return `entry seq ${head.seq} (hash ${head.hash.slice(0, 12)}…)`;
}

/**
 * Why a log whose last entry is `last` (undefined: empty) cannot be the one
 * the head was written for, or undefined when it can. Only the end is
 * checked: the whole log is verify's job.
 */
export function tailProblem(
  head: AuditHead,
  last: AuditHead | undefined,
  logPath: string,
  where = basename(headPath(logPath)),
): string | undefined {
  const lastSeq = last?.seq ?? 0;
  if (lastSeq < head.seq)
    return `the log ends at entry seq ${lastSeq}, but ${describeHead(head)} was written (recorded in ${where}): lines were removed from the end`;
  if (last && lastSeq === head.seq && last.hash !== head.hash)
    return `its entry seq ${lastSeq} is not the ${describeHead(head)} that was written (recorded in ${where}): the end of the log was rewritten`;
  return undefined;
}
