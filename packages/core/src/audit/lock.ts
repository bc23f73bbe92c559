import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { z } from "zod";
import { WorksiteError } from "../errors.js";

/** Who holds a lock: written into the lock file, so a later process can judge whether the holder is gone. */
export interface LockHolder {
  pid: number;
  host: string;
  run: string;
  started: string;
}

export interface LockOptions {
  /** A lock older than this is stale even if its pid is alive (pids get reused). For short file locks; omit for a lock held for a whole run. */
  staleMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Recorded as the holder's run. */
  run?: string;
}

export interface HeldFileLock {
  holder: LockHolder;
  /** The stale holder whose lock this acquisition replaced, if the lock file said who it was. */
  tookOverFrom?: LockHolder;
  release(): Promise<void>;
  /** The same, for a process's exit handler, where nothing asynchronous runs any more. */
  releaseSync?(): void;
}

/** One attempt: either the lock is ours, or who holds it (undefined while it is empty or torn and not yet stale). */
export type LockAttempt = { held: HeldFileLock } | { heldBy: LockHolder | undefined };

/** A lock whose file is empty or torn (its creator died between create and write) is stale after this long. */
const TORN_GRACE_MS = 2_000;

/** Locks written before the holder payload (`{pid, time, nonce}`) still name a pid on this host, so they still read. */
const HolderSchema = z
  .object({
    pid: z.number().int(),
    host: z.string().optional(),
    run: z.string().optional(),
    started: z.string().optional(),
    time: z.number().optional(),
  })
  .transform(
    (h): LockHolder => ({
      pid: h.pid,
      host: h.host ?? hostname(),
      run: h.run ?? "",
      // An unreadable start leaves "" and the lock's age comes from the file's mtime.
      started:
        h.started ?? (Number.isFinite(h.time) && Math.abs(h.time!) < 8.64e15 ? new Date(h.time!).toISOString() : ""),
    }),
  );

/** Is this process running? EPERM means it is, but belongs to someone else. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A holder on another host cannot be checked, so it counts as live. */
export function holderIsLive(holder: LockHolder): boolean {
  return holder.host !== hostname() || processIsAlive(holder.pid);
}

export async function readLockHolder(lockPath: string): Promise<LockHolder | undefined> {
  const text = await readFile(lockPath, "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseHolder(text);
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One try at `lockPath`, created with O_EXCL ("wx") so that exactly one
 * process holds it. A stale lock (holder dead on this host, or older than
 * `staleMs`) is taken over under a breaker lock, so two processes that both
 * judged it stale cannot both remove it, nor remove a fresh lock made meanwhile.
 */
export async function tryFileLock(lockPath: string, options: LockOptions = {}): Promise<LockAttempt> {
  const { holder, body } = newHolder(options);
  let tookOverFrom: LockHolder | undefined;
  // A few quick rounds: a lock being released, or broken by another taker, settles within milliseconds.
  for (let attempt = 0; attempt < 8; attempt++) {
    if (await create(lockPath, body)) {
      return {
        held: {
          holder,
          ...(tookOverFrom ? { tookOverFrom } : {}),
          release: () => release(lockPath, body),
          releaseSync: () => releaseSync(lockPath, body),
        },
      };
    }
    const seen = await readFile(lockPath, "utf8").catch(() => undefined);
    if (seen === undefined) continue; // released between our create and read: try again
    const current = parseHolder(seen);
    if (!(await isStale(lockPath, current, options.staleMs))) {
      // Empty or torn: its creator is between create and write. Look again shortly, so the answer names the holder.
      if (current === undefined && attempt < 7) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      return { heldBy: current };
    }
    // Whichever taker removes the stale lock, the one whose lock takes its place is the one that
    // took it over and must say so (a run logs it), even when a rival taker did the removing.
    tookOverFrom = current;
    const broken = await removeIfUnchanged(lockPath, seen);
    if (broken === "busy") await new Promise((r) => setTimeout(r, 1)); // another taker is breaking it: see who wins
  }
  return { heldBy: await readLockHolder(lockPath) };
}

function newHolder(options: LockOptions): { holder: LockHolder; body: string } {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    run: options.run ?? "",
    started: new Date().toISOString(),
  };
  // The nonce makes each lock's content unique, so "is this still the lock I judged / I wrote?" is a string compare.
  return { holder, body: JSON.stringify({ ...holder, nonce: randomBytes(6).toString("hex") }) };
}

/**
 * The uncontended case of tryFileLock, synchronously: the lock is ours if its file could be created, else
 * undefined and the caller goes the full way (stale holders, breakers). The audit writer takes its lock
 * again after every idle spell, and each asynchronous step cost a thread-pool round trip (issue 13 item 1).
 */
export function tryFileLockQuick(lockPath: string, options: LockOptions = {}): HeldFileLock | undefined {
  const { holder, body } = newHolder(options);
  let fd: number;
  try {
    fd = openSync(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
  try {
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  return { holder, release: async () => releaseSync(lockPath, body), releaseSync: () => releaseSync(lockPath, body) };
}

/** Runs `fn` holding `lockPath`, waiting (with backoff) up to `timeoutMs` for another holder to finish. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  // Uncontended (the common case): taken and given back synchronously, no thread-pool round trips (a pool round trip
  // was ~0.25 ms on a slow host, four of them per artifact listed in index.json).
  const quick = tryFileLockQuick(lockPath, options);
  if (quick) {
    try {
      return await fn();
    } finally {
      quick.releaseSync?.();
    }
  }
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let wait = 1;
  for (;;) {
    const attempt = await tryFileLock(lockPath, { ...options, staleMs });
    if ("held" in attempt) {
      try {
        return await fn();
      } finally {
        await attempt.held.release();
      }
    }
    if (Date.now() > deadline) {
      const by = attempt.heldBy
        ? ` by pid ${attempt.heldBy.pid} on ${attempt.heldBy.host} since ${attempt.heldBy.started}`
        : "";
      throw new WorksiteError(
        "locked",
        `timed out waiting for ${lockPath}, held${by || " by another process"}; remove it if no worksite process is running`,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 25);
  }
}

async function create(lockPath: string, body: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(body);
  } finally {
    await handle.close();
  }
  return true;
}

async function isStale(
  lockPath: string,
  holder: LockHolder | undefined,
  staleMs: number | undefined,
): Promise<boolean> {
  if (holder && !holderIsLive(holder)) return true;
  // A lock file still being written by its creator reads as empty or partial; only an old one is stale.
  const limit = holder ? staleMs : (staleMs ?? TORN_GRACE_MS);
  if (limit === undefined) return false;
  const started = holder ? Date.parse(holder.started) : Number.NaN;
  const time = Number.isNaN(started) ? (await stat(lockPath).catch(() => undefined))?.mtimeMs : started;
  return time !== undefined && Date.now() - time > limit;
}

/** A breaker left by a process that died while breaking a lock is ignored after this long. */
const BREAKER_STALE_MS = 5_000;

/**
 * Removes the stale lock, but only while it is still the one judged stale.
 * Breaking is itself exclusive (`<lock>.break`, created with O_EXCL): renaming
 * the lock aside and putting back a fresh one, as an earlier version did, left
 * a moment in which the path was free and two processes could both create it.
 */
async function removeIfUnchanged(lockPath: string, seen: string): Promise<"removed" | "changed" | "busy"> {
  const breaker = `${lockPath}.break`;
  if (!(await create(breaker, String(process.pid)))) {
    const since = (await stat(breaker).catch(() => undefined))?.mtimeMs;
    if (since !== undefined && Date.now() - since > BREAKER_STALE_MS) await unlink(breaker).catch(() => undefined);
    return "busy";
  }
  try {
    if ((await readFile(lockPath, "utf8").catch(() => undefined)) !== seen) return "changed";
    await unlink(lockPath).catch(() => undefined);
    return "removed";
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/** Removes the lock only while it is still ours: a holder judged stale may find its lock taken over. */
async function release(lockPath: string, body: string): Promise<void> {
  const now = await readFile(lockPath, "utf8").catch(() => undefined);
  if (now === body) await unlink(lockPath).catch(() => undefined);
}

function releaseSync(lockPath: string, body: string): void {
  try {
    if (readFileSync(lockPath, "utf8") === body) unlinkSync(lockPath);
  } catch {
    // gone already
  }
}
