import { createHash } from "node:crypto";
import { lastLine } from "./read.js";
import type { AuditEvent } from "./types.js";

/*
 * A last line with no newline: what a write(2) cut off part-way leaves. A SIGKILL can land between two pages
 * of one write to a regular file, so a line longer than what is left of a page can be torn (issue 13 item 1;
 * seen in CI). It was never a whole entry: the writer that takes the lock next cuts it off and records it.
 */

/** How much of a torn line the entry recording its removal keeps as text (all of it is hashed). */
const TORN_TEXT_BYTES = 2_048;

/** The bytes after the last newline of a file that does not end with one, and where they start. */
export interface TornTail {
  at: number;
  bytes: Buffer;
}

/** The torn last line of a file of `size` bytes; undefined when it ends with a newline or is empty. */
export function tornTail(path: string, size: number): TornTail | undefined {
  const last = lastLine(path, size);
  return last && !last.terminated ? { at: last.at, bytes: last.bytes } : undefined;
}

/** The entry that records a torn line cut off the end: where it was, its length and hash, and its start as text. */
export function tornNote(torn: TornTail): AuditEvent {
  return {
    type: "note",
    actor: "worksite",
    message: `removed an unfinished line of ${torn.bytes.length} bytes from the end of the log (at byte ${torn.at}): its write was cut off, by a kill or a full disk, so it was never a whole entry`,
    data: {
      torn: {
        at: torn.at,
        bytes: torn.bytes.length,
        sha256: createHash("sha256").update(torn.bytes).digest("hex"),
        start: torn.bytes.subarray(0, TORN_TEXT_BYTES).toString("utf8"),
      },
    },
  };
}
