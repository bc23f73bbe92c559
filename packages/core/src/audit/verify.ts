import { entryHash, entryLine, GENESIS_HASH } from "./hash-chain.js";
import { parseLine, readLines } from "./read.js";
import type { AuditVerifyResult } from "./types.js";

/**
 * Checks every line: it is a whole JSON entry, `seq` counts up from 1, `prev`
 * is the previous entry's hash, `hash` matches the content, and the line is
 * byte for byte what the writer would have written. Stops at the first bad
 * line and names it. A missing file is an empty, intact log.
 */
export async function verifyAuditFile(path: string): Promise<AuditVerifyResult> {
  let entries = 0;
  let prev = GENESIS_HASH;
  for await (const line of readLines(path)) {
    const bad = (problem: string): AuditVerifyResult => ({ ok: false, entries, line: line.number, problem });
    const parsed = parseLine(line);
    if (!parsed.ok) return bad(parsed.problem);
    const entry = parsed.entry;
    if (entry.seq !== entries + 1) return bad(`seq is ${entry.seq}, expected ${entries + 1} (an entry was removed, added or reordered)`);
    if (entry.prev !== prev) return bad(`prev does not match the hash of the entry before it (the chain is broken here)`);
    if (entryHash(entry) !== entry.hash) return bad(`hash does not match the entry's content (the entry was changed after it was written)`);
    if (entryLine(entry) !== line.text) return bad(`the line is not in the form it was written in (it was edited)`);
    prev = entry.hash;
    entries++;
  }
  return { ok: true, entries };
}
