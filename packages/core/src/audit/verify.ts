import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { anchorPlace } from "./anchor.js";
import { entryHash, entryLine, GENESIS_HASH } from "./hash-chain.js";
import { type AuditHead, describeHead, headPath, readHead, readHeadAt } from "./head.js";
import { parseLine, readLines } from "./read.js";
import type { AuditVerifyResult } from "./types.js";

/**
 * Checks every line: it is a whole JSON entry, `seq` counts up from 1, `prev`
 * is the previous entry's hash, `hash` matches the content, and the line is
 * byte for byte what the writer would have written. Then the end, against
 * both tail anchors: `<log>.head` beside the log and, for a worksite's own
 * log, the copy in the person's state folder (anchor.ts). The log must still
 * hold the entry each names (lines cut from the end leave an intact but
 * shorter chain); a log that is missing while an anchor names an entry, a
 * head rewritten from an earlier entry, or a worksite whose anchor has gone
 * all fail. Stops at the first bad line and names it; for a cut-back log that
 * is the line after the last one. A last line without its newline is a write
 * a kill cut off: not an entry, reported as `torn`, and removed (and recorded)
 * by the next append (writer.ts).
 */
export async function verifyAuditFile(path: string): Promise<AuditVerifyResult> {
  // Read before the log: appends only move the heads forward, so every entry they name is in what is read next.
  // The anchor before the local head: a writer moves the local head first, so a local head read after the
  // anchor is never behind it, even while a writer moves both (it does, every few ms, while a run streams calls).
  const place = anchorPlace(path, { create: false });
  const anchored = place ? await readHeadAt(place.path) : undefined;
  const local = await readHead(path);
  const heads: { head: AuditHead; where: string }[] = [];
  if (local.ok && local.head) heads.push({ head: local.head, where: basename(headPath(path)) });
  if (anchored?.ok && anchored.head)
    heads.push({ head: anchored.head, where: `the anchor in the person's state folder (${place!.path})` });

  if (heads.length && !(await exists(path))) {
    const { head, where } = heads.reduce((a, b) => (b.head.seq > a.head.seq ? b : a));
    return {
      ok: false,
      entries: 0,
      line: 1,
      problem: `the log is missing, but ${describeHead(head)} was written (recorded in ${where}): the log was deleted`,
    };
  }

  let entries = 0;
  let prev = GENESIS_HASH;
  let torn: { line: number; bytes: number } | undefined;
  for await (const line of readLines(path)) {
    if (!line.terminated) {
      // Only the last line can lack its newline: a write cut off part-way, which no head names (checked below).
      torn = { line: line.number, bytes: Buffer.byteLength(line.text, "utf8") };
      break;
    }
    const bad = (problem: string): AuditVerifyResult => ({ ok: false, entries, line: line.number, problem });
    const parsed = parseLine(line);
    if (!parsed.ok) return bad(parsed.problem);
    const entry = parsed.entry;
    if (entry.seq !== entries + 1)
      return bad(`seq is ${entry.seq}, expected ${entries + 1} (an entry was removed, added or reordered)`);
    if (entry.prev !== prev)
      return bad(`prev does not match the hash of the entry before it (the chain is broken here)`);
    if (entryHash(entry) !== entry.hash)
      return bad(`hash does not match the entry's content (the entry was changed after it was written)`);
    if (entryLine(entry) !== line.text) return bad(`the line is not in the form it was written in (it was edited)`);
    for (const { head, where } of heads)
      if (entry.seq === head.seq && entry.hash !== head.hash)
        return bad(
          `this is not the ${describeHead(head)} that was written (recorded in ${where}): the log was rewritten from here on`,
        );
    prev = entry.hash;
    entries++;
  }
  const end = (problem: string): AuditVerifyResult => ({ ok: false, entries, line: entries + 1, problem });
  if (!local.ok) return end(local.problem);
  if (anchored && !anchored.ok)
    return end(`${anchored.problem} (the anchor in the person's state folder, ${place!.path})`);
  for (const { head, where } of heads) {
    if (entries < head.seq) {
      const at = entries === 0 ? "the log is empty" : `the log ends at line ${entries}`;
      return end(
        `${at}, but ${describeHead(head)} was written (recorded in ${where}): lines were removed from the end`,
      );
    }
  }
  const anchor = anchored?.ok ? anchored.head : undefined;
  // The local head is written first, so it may be one entry ahead of the anchor after a crash, never behind.
  if (local.ok && local.head && anchor && local.head.seq < anchor.seq)
    return end(
      `${basename(headPath(path))} names ${describeHead(local.head)}, but the anchor in the person's state folder names entry seq ${anchor.seq}: the head was rewritten from an earlier entry`,
    );
  if (place?.idFrom === "file" && !anchor && (entries > 0 || (local.ok && local.head)))
    return end(
      `the anchor of this worksite's log is missing from the person's state folder (${place.path}), though the worksite has an id (.worksite/id) and a log: it was removed, so whether the log was cut cannot be checked. If you cleared the state folder on purpose, the next entry the runtime writes anchors the log again`,
    );
  return { ok: true, entries, ...(torn ? { torn } : {}) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
