import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { holderIsLive, type LockHolder, readLockHolder, tryFileLock } from "@worksite/core/locks";
import { UserError } from "@worksite/core/messages";

export type LockInfo = LockHolder;

export interface HeldLock {
  info: LockInfo;
  /** The dead run whose lock was taken over, if any. */
  tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

export function lockPath(root: string): string {
  return join(root, ".worksite", "lock");
}

/** How long to wait out a lock file that is empty or torn (its writer may still be writing it) before giving up. */
const TORN_WAIT_MS = 5_000;

/**
 * One run per thread. Core's lock primitive creates the lock file with O_EXCL;
 * a lock left by a process that no longer exists on this host is taken over
 * (and the caller logs it). A live holder is never waited for: the user is told.
 */
export async function acquireLock(root: string, run: string): Promise<HeldLock> {
  const path = lockPath(root);
  await mkdir(join(root, ".worksite"), { recursive: true });
  const deadline = Date.now() + TORN_WAIT_MS;
  for (;;) {
    const attempt = await tryFileLock(path, { run });
    if ("held" in attempt) {
      const { holder, tookOverFrom, release } = attempt.held;
      return { info: holder, ...(tookOverFrom ? { tookOverFrom } : {}), release };
    }
    const holder = attempt.heldBy;
    if (holder && isRollback(holder)) {
      throw new UserError(
        `a rollback of this thread is restoring its files now (pid ${holder.pid} on ${holder.host}, since ${holder.started})`,
        {
          hint: "wait for it to finish, then run again",
        },
      );
    }
    if (holder) {
      throw new UserError(
        `this thread is already running (run ${holder.run}, pid ${holder.pid} on ${holder.host}, since ${holder.started})`,
        {
          hint: 'wait for it, steer it with `worksite steer "…"`, or queue work with `worksite queue "…"`',
        },
      );
    }
    if (Date.now() > deadline)
      throw new UserError("could not take the thread lock", { hint: `remove ${path} if no run is active` });
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The holder name a rollback takes the thread's lock under (issue 21 item 3: a run started meanwhile is refused, not broken). */
export const ROLLBACK_HOLDER = "rollback";

export function isRollback(holder: LockInfo): boolean {
  return holder.run === ROLLBACK_HOLDER;
}

/** Holds the thread's lock while `fn` changes its files, so no round starts on half-restored files. */
export async function withThreadLock<T>(root: string, holder: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(root, holder);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** The lock's holder; undefined when there is no lock, or it is empty or torn (its writer died between create and write). */
export async function readLock(root: string): Promise<LockInfo | undefined> {
  return readLockHolder(lockPath(root));
}

/** Is a run holding the lock now? A lock left by a process that is gone (on this host) is held by nobody. */
export function lockIsLive(info: LockInfo): boolean {
  return holderIsLive(info);
}

/** The lock of the run working on this thread now, if one is. */
export async function liveLock(root: string): Promise<LockInfo | undefined> {
  const info = await readLock(root);
  return info && lockIsLive(info) ? info : undefined;
}
