import { AsyncLocalStorage } from "node:async_hooks";
import { join } from "node:path";
import { tryFileLock, WorksiteError } from "@worksite/core";
import type { MemoryStore } from "./store.js";

/** Lock paths this async call chain already holds, so a locked operation may call another (change → beginProposal). */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Long enough for several processes to take turns committing a large folder (issue 21 item 6). */
const WAIT_MS = 60_000;

/** The memory folder's lock (`<this>.lock`), beside its repository's refs: one writer of its branches and index at a time. */
export function memoryLockPath(store: MemoryStore): string {
  return join(store.gitdir, "worksite-memory");
}

/**
 * Runs `fn` holding the memory folder's lock (core's file lock), so that a
 * read of HEAD, the commit built on it and the ref moved to it happen as one:
 * four concurrent `memory commit`s once printed three commit ids of which two
 * never reached the branch (issue 21). Re-entrant within one call chain;
 * other callers, in this process or another, wait their turn.
 */
export async function withMemoryLock<T>(store: MemoryStore, fn: () => Promise<T>): Promise<T> {
  const path = memoryLockPath(store);
  const mine = held.getStore();
  if (mine?.has(path)) return fn();
  const lock = await take(path);
  try {
    return await held.run(new Set([...(mine ?? []), path]), fn);
  } finally {
    await lock.release();
  }
}

/**
 * Core's lock primitive with no age limit: a sync with a slow remote may hold it for long, and only a
 * holder that is gone (its pid dead on this host) loses it. Waits with backoff up to WAIT_MS.
 */
async function take(path: string): Promise<{ release(): Promise<void> }> {
  const deadline = Date.now() + WAIT_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    const attempt = await tryFileLock(`${path}.lock`, { run: "memory" });
    if ("held" in attempt) return attempt.held;
    if (Date.now() > deadline) {
      const by = attempt.heldBy
        ? ` (pid ${attempt.heldBy.pid} on ${attempt.heldBy.host}, since ${attempt.heldBy.started})`
        : "";
      throw new WorksiteError(
        "locked",
        `memory is being changed by another worksite process${by}; try again when it has finished, or remove ${path}.lock if none is running`,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}
