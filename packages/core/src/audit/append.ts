import { appendFile, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { rememberSealKey } from "../gate/person-seal.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { entryHash, entryLine, GENESIS_HASH } from "./hash-chain.js";
import { anchorPlace } from "./anchor.js";
import { readHead, readHeadAt, tailProblem, writeHead, writeHeadAt } from "./head.js";
import { withFileLock, type LockOptions } from "./lock.js";
import { corrupt, parseLine, readLastLine } from "./read.js";
import type { AuditEntry, AuditEvent } from "./types.js";

/** What the next append chains onto, and the file size it was read at. */
export interface TailState {
  size: number;
  seq: number;
  hash: string;
}

export interface AppendOptions {
  now: () => Date;
  lock?: LockOptions;
}

/**
 * Appends one event under the cross-process lock: redact, chain onto the
 * last line, write the whole line in one O_APPEND write, then move the tail
 * anchor (`<log>.head`, see head.ts) to it. `cached` is reused
 * when the file is still the size it left it at; otherwise (another process
 * appended, or first use) the last line is read again. Returns the entry and
 * the new tail state.
 */
export async function appendEvent(
  path: string,
  event: AuditEvent,
  cached: TailState | undefined,
  options: AppendOptions,
): Promise<{ entry: AuditEntry; tail: TailState }> {
  // Redaction comes before hashing, so the chain covers exactly what is on disk. The person's
  // seal key, once it exists, is redacted too (issue 11 item 7); reading it never creates it.
  await rememberSealKey();
  const { seq: _s, time: _t, prev: _p, hash: _h, ...clean } = redactDeep(event) as AuditEvent & Partial<AuditEntry>;
  await mkdir(dirname(path), { recursive: true });
  return withFileLock(
    `${path}.lock`,
    async () => {
      const size = await fileSize(path);
      const tail = cached && cached.size === size ? cached : await readTailState(path, size);
      const anchor = anchorPlace(path, { create: true });
      await refuseIfCutBack(path, tail, anchor?.path);
      const unhashed = { ...clean, seq: tail.seq + 1, time: options.now().toISOString(), prev: tail.hash };
      const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
      const line = `${entryLine(entry)}\n`;
      await appendFile(path, line, { encoding: "utf8", flag: "a" });
      await writeHead(path, { seq: entry.seq, hash: entry.hash });
      if (anchor) await writeHeadAt(anchor.path, { seq: entry.seq, hash: entry.hash });
      return { entry, tail: { size: size + Buffer.byteLength(line), seq: entry.seq, hash: entry.hash } };
    },
    options.lock,
  );
}

/** Reads the last line and refuses to chain onto one that is torn, unparsable or altered. */
export async function readTailState(path: string, size: number): Promise<TailState> {
  const last = await readLastLine(path, size);
  if (!last) return { size: 0, seq: 0, hash: GENESIS_HASH };
  const parsed = parseLine(last);
  if (!parsed.ok) throw corrupt(path, undefined, parsed.problem);
  if (entryHash(parsed.entry) !== parsed.entry.hash)
    throw corrupt(path, undefined, "its hash does not match its content");
  return { size, seq: parsed.entry.seq, hash: parsed.entry.hash };
}

/**
 * A log cut back to fewer lines ends in an intact entry, so the last line
 * alone looks fine: the head says where it really ended. Chaining on would
 * hide the cut, so it is refused like a torn line.
 */
async function refuseIfCutBack(path: string, tail: TailState, anchor: string | undefined): Promise<void> {
  for (const [read, where] of [
    [await readHead(path), undefined],
    ...(anchor ? [[await readHeadAt(anchor), `the anchor in the person's state folder, ${anchor}`] as const] : []),
  ] as const) {
    if (!read.ok) throw corrupt(path, undefined, read.problem);
    if (!read.head) continue; // an older log, or one never appended to by a version that writes the head
    const problem = tailProblem(read.head, tail.seq === 0 ? undefined : tail, path, where);
    if (problem) throw corrupt(path, undefined, problem);
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}
