import { rm } from "node:fs/promises";
import { hostname } from "node:os";
import { readLock, lockPath, type LockInfo } from "@worksite/runtime";
import type { Redis } from "ioredis";
import { auditOf } from "./wake-thread.js";

/*
 * A thread lock names its holder's host and pid; a holder on another host cannot be checked from here,
 * so on its own such a lock never goes stale (core's lock). For rounds a queue worker runs, Redis can
 * tell: the worker registers the round's run id and keeps a heartbeat for it while the round runs.
 * A lock from another host whose run is a registered worker round with no heartbeat left belongs to a
 * worker that died: it is broken, audited, and the run loop redoes the round. A lock Redis knows
 * nothing of (a person's `worksite run` on another machine) is never broken.
 */

const runKey = (run: string) => `worksite:wake:run:${run}`;
const aliveKey = (run: string) => `worksite:wake:alive:${run}`;

/** While `work` runs, registers the round's run (once its lock appears) and keeps its heartbeat. */
export async function withHeartbeat<T>(redis: Redis, root: string, lockMs: number, work: () => Promise<T>): Promise<T> {
  let run: string | undefined;
  const beat = async () => {
    if (!run) {
      const lock = await readLock(root);
      if (!lock || lock.host !== hostname() || lock.pid !== process.pid) return;
      run = lock.run;
      await redis.set(runKey(run), `${hostname()}:${process.pid}`, "EX", 7 * 24 * 3600);
    }
    await redis.set(aliveKey(run), "1", "PX", lockMs);
  };
  const timer = setInterval(() => void beat().catch(() => undefined), Math.max(100, Math.floor(lockMs / 4)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
    if (run) await redis.del(aliveKey(run)).catch(() => undefined);
  }
}

/** Breaks a lock left by a dead worker on another host; returns its holder when it did. */
export async function breakDeadWorkerLock(redis: Redis, root: string): Promise<LockInfo | undefined> {
  const lock = await readLock(root);
  if (!lock || lock.host === hostname()) return undefined; // same host: the runtime checks the pid itself
  if (!(await redis.exists(runKey(lock.run)))) return undefined; // not a worker's round: never ours to break
  if (await redis.exists(aliveKey(lock.run))) return undefined; // its worker is alive
  const again = await readLock(root);
  if (!again || again.run !== lock.run || again.started !== lock.started) return undefined; // changed meanwhile
  await rm(lockPath(root), { force: true });
  await auditOf(root).append({
    type: "wake",
    actor: "automation",
    message: `took over the lock of run ${lock.run} (pid ${lock.pid} on ${lock.host}): its worker's heartbeat in Redis lapsed`,
    data: { ...lock },
  });
  return lock;
}
