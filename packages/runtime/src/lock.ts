import { hostname } from "node:os";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";

export interface LockInfo {
  pid: number;
  host: string;
  run: string;
  started: string;
}

export interface HeldLock {
  info: LockInfo;
  /** The dead run whose lock was taken over, if any. */
  tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

export function lockPath(root: string): string {
  return join(root, ".worksite", "lock");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One run per thread. The lock file is created with O_EXCL; a lock left by a
 * process that no longer exists on this host is taken over (and the caller logs it).
 */
export async function acquireLock(root: string, run: string): Promise<HeldLock> {
  const path = lockPath(root);
  await mkdir(join(root, ".worksite"), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), run, started: new Date().toISOString() };
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.close();
      return { info, ...(tookOverFrom ? { tookOverFrom } : {}), release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readLock(root);
    if (holder && (holder.host !== info.host || alive(holder.pid))) {
      throw new UserError(`this thread is already running (run ${holder.run}, pid ${holder.pid} on ${holder.host}, since ${holder.started})`, {
        hint: "wait for it, steer it with `worksite steer \"…\"`, or queue work with `worksite queue \"…\"`",
      });
    }
    tookOverFrom = holder;
    await rm(path, { force: true });
  }
  throw new UserError("could not take the thread lock", { hint: `remove ${path} if no run is active` });
}

export async function readLock(root: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(lockPath(root), "utf8")) as LockInfo;
  } catch {
    // Empty or torn: the writer died between create and write. Treat as held by nobody.
    return undefined;
  }
}

/** Is a run holding the lock now? A lock left by a process that is gone (on this host) is held by nobody. */
export function lockIsLive(info: LockInfo): boolean {
  return info.host !== hostname() || alive(info.pid);
}

/** The lock of the run working on this thread now, if one is. */
export async function liveLock(root: string): Promise<LockInfo | undefined> {
  const info = await readLock(root);
  return info && lockIsLive(info) ? info : undefined;
}
