import { AsyncLocalStorage } from "node:async_hooks";
import { join } from "node:path";
import { withFileLock } from "@worksite/core";
import type { MemoryStore } from "./store.js";

/** Lock paths this async call chain already holds, so a locked operation may call another (change → beginProposal). */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Long enough for several processes to take turns committing a large folder (issue 21 item 6). */
const WAIT_MS = 60_000;

/** The memory folder's lock, beside its repository's refs: one writer of its branches and index at a time. */
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
  return withFileLock(path, () => held.run(new Set([...(mine ?? []), path]), fn), WAIT_MS);
}
