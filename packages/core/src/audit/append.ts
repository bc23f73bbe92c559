import { entryHash, GENESIS_HASH } from "./hash-chain.js";
import { headPath, readHeadSync, tailProblem } from "./head.js";
import { corrupt, parseLine, readLastLine } from "./read.js";

/** What the next append chains onto, and the file size it was read at. */
export interface TailState {
  size: number;
  seq: number;
  hash: string;
}

/** Reads the last line and refuses to chain onto one that is torn, unparsable or altered. */
export function readTailState(path: string, size: number): TailState {
  const last = readLastLine(path, size);
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
export function refuseIfCutBack(path: string, tail: TailState, anchor: string | undefined): void {
  for (const [read, where] of [
    [readHeadSync(headPath(path)), undefined],
    ...(anchor ? [[readHeadSync(anchor), `the anchor in the person's state folder, ${anchor}`] as const] : []),
  ] as const) {
    if (!read.ok) throw corrupt(path, undefined, read.problem);
    if (!read.head) continue; // an older log, or one never appended to by a version that writes the head
    const problem = tailProblem(read.head, tail.seq === 0 ? undefined : tail, path, where);
    if (problem) throw corrupt(path, undefined, problem);
  }
}
