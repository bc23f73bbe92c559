import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { withFileLock as withLock } from "../audit/lock.js";

/**
 * Write a whole file so readers see the old or the new content, never half of
 * one: write a temp file beside it, then rename over (rename is atomic on POSIX).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** writeFileAtomic, synchronously: for a writer that holds a lock and reads and writes without yielding. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Hold `<path>.lock` while `fn` runs, so read-modify-write of a shared file is
 * safe across processes (the runtime and a CLI command may both append
 * artifacts). The lock is core's one primitive (audit/lock.ts): a lock whose
 * holder died, or older than 10 s, is taken over.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  return withLock(`${path}.lock`, fn, { staleMs: 10_000, timeoutMs });
}
