import { basename } from "node:path";
import { entryHash, entryLine, GENESIS_HASH } from "./hash-chain.js";
import { describeHead, headPath, readHead } from "./head.js";
import { parseLine, readLines } from "./read.js";
import type { AuditVerifyResult } from "./types.js";

/**
 * Checks every line: it is a whole JSON entry, `seq` counts up from 1, `prev`
 * is the previous entry's hash, `hash` matches the content, and the line is
 * byte for byte what the writer would have written. Then the end: when
 * `<log>.head` exists, the log must still hold the entry it names (lines cut
 * from the end leave an intact but shorter chain). Stops at the first bad
 * line and names it; for a cut-back log that is the line after the last one.
 * A missing file is an empty, intact log; a missing head checks nothing.
 */
export async function verifyAuditFile(path: string): Promise<AuditVerifyResult> {
  // Read before the log: appends only move the head forward, so every entry it names is in what is read next.
  const read = await readHead(path);
  const head = read.ok ? read.head : undefined;
  const headFile = basename(headPath(path));
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
    if (head && entry.seq === head.seq && entry.hash !== head.hash)
      return bad(`this is not the ${describeHead(head)} that was written (recorded in ${headFile}): the log was rewritten from here on`);
    prev = entry.hash;
    entries++;
  }
  const end = (problem: string): AuditVerifyResult => ({ ok: false, entries, line: entries + 1, problem });
  if (!read.ok) return end(read.problem);
  if (head && entries < head.seq) {
    const where = entries === 0 ? "the log is empty" : `the log ends at line ${entries}`;
    return end(`${where}, but ${describeHead(head)} was written (recorded in ${headFile}): lines were removed from the end`);
  }
  return { ok: true, entries };
}
