import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { WorksiteError } from "../errors.js";

export interface LockOptions {
  /** A lock older than this is stale even if its pid is alive (pids get reused). Appends take milliseconds. */
  staleMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
}

interface LockBody {
  pid: number;
  time: number;
  nonce: string;
}

/**
 * Runs `fn` holding `<file>.lock`, created with O_EXCL ("wx") so that exactly
 * one process holds it. A lock whose pid is gone, or that is older than
 * `staleMs`, is taken over: renamed aside first, so two processes that both
 * judged it stale cannot both remove a fresh lock.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const body: LockBody = { pid: process.pid, time: Date.now(), nonce: Math.random().toString(36).slice(2) };
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(JSON.stringify(body));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    await takeOverIfStale(lockPath, staleMs);
    if (Date.now() > deadline)
      throw new WorksiteError("locked", `${lockPath} is held by another process; remove it if no worksite process is running`);
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 25);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function takeOverIfStale(lockPath: string, staleMs: number): Promise<void> {
  const seen = await readFile(lockPath, "utf8").catch(() => undefined);
  if (seen === undefined) return;
  let holder: Partial<LockBody> = {};
  try {
    holder = JSON.parse(seen) as Partial<LockBody>;
  } catch {
    // A lock file still being written by its creator reads as empty or partial; only an old one is stale.
  }
  // A crash between creating and writing the lock leaves it empty: its age then comes from the file itself.
  const time = typeof holder.time === "number" ? holder.time : (await stat(lockPath).catch(() => undefined))?.mtimeMs;
  const dead = typeof holder.pid === "number" && !isAlive(holder.pid);
  if (!dead && (time === undefined || Date.now() - time <= staleMs)) return;
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else took it over first
  }
  const moved = await readFile(aside, "utf8").catch(() => undefined);
  if (moved !== seen) await link(aside, lockPath).catch(() => undefined); // not the lock we judged: put it back
  await unlink(aside).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
