import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { Diagnostic } from "../errors.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * How big a file worksite reads whole may be. Each is read and parsed at every check and
 * round, so a file past its limit is refused before a byte of it is parsed (issue 21 item 5:
 * a 50 MB GOAL.md used to end `worksite check` with a stack overflow).
 * Documented in the core, skills and memory READMEs; change them together.
 */
export const SIZE_LIMITS = {
  /** THREAD.md, GOAL.md and PERMISSIONS.md, each. */
  worksiteFile: 1 * MiB,
  /** A skill's SKILL.md (its references/ and scripts/ are read only when asked for). */
  skill: 1 * MiB,
  /** One memory entry; `memory audit` already warns from 8 KiB, as entries crowd an agent's context. */
  memoryEntry: 256 * KiB,
} as const;

/** `1 MiB`, `256 KiB`, `48.6 MiB`: sizes as the limits are written. */
export function formatBytes(bytes: number): string {
  if (bytes < KiB) return `${bytes} bytes`;
  const [unit, size] = bytes < MiB ? ["KiB", bytes / KiB] : ["MiB", bytes / MiB];
  return `${Number.isInteger(size) ? size : size.toFixed(1)} ${unit}`;
}

export type LimitedRead =
  | { ok: true; text: string }
  | { ok: false; problem: "missing" | "not-a-file" | "unreadable"; code?: string }
  | { ok: false; problem: "too-big"; size: number; limit: number };

/**
 * Reads a text file only if it is a regular file of at most `limit` bytes. The size is taken
 * from the open handle's stat, before anything is read, and the read stops one byte past the
 * limit, so a file that grows in between is refused too rather than read whole.
 */
export async function readTextWithin(path: string, limit: number): Promise<LimitedRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? { ok: false, problem: "missing", code }
      : { ok: false, problem: code === "EISDIR" ? "not-a-file" : "unreadable", ...(code ? { code } : {}) };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, problem: "not-a-file" };
    if (info.size > limit) return { ok: false, problem: "too-big", size: info.size, limit };
    // One byte more than the file holds: filling it means the file grew since the stat.
    let buffer = Buffer.allocUnsafe(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) return { ok: false, problem: "too-big", size: length, limit };
        const bigger = Buffer.allocUnsafe(limit + 1);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) return { ok: false, problem: "too-big", size: length, limit };
    return { ok: true, text: buffer.toString("utf8", 0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: "unreadable", ...(code ? { code } : {}) };
  } finally {
    await handle.close();
  }
}

/** "GOAL.md is 48.6 MiB; the limit is 1 MiB", with how to get under it. */
export function tooBigMessage(name: string, size: number, limit: number): string {
  return `${name} is ${formatBytes(size)}; the limit is ${formatBytes(limit)}, so it was not read`;
}

/** The same as a diagnostic at line 1 of `file`. */
export function tooBigDiagnostic(file: string, name: string, size: number, limit: number, hint: string): Diagnostic {
  return { file, line: 1, severity: "error", message: tooBigMessage(name, size, limit), hint };
}
