import fs from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { WorksiteError } from "../errors.js";
import { rememberSealKey } from "../gate/person-seal.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { anchorPlace } from "./anchor.js";
import { readTailState, refuseIfCutBack, type TailState } from "./append.js";
import { sealLine } from "./hash-chain.js";
import { hotWait } from "./hot-wait.js";
import { expectSync, fdatasyncHot } from "./sync-thread.js";
import { type AuditHead, createHeadSync, HEAD_RECORD_BYTES, headPath, headRecord } from "./head.js";
import { type HeldFileLock, type LockOptions, tryFileLock, tryFileLockQuick } from "./lock.js";
import { type TornTail, tornNote, tornTail } from "./torn-line.js";
import type { AuditEntry, AuditEvent } from "./types.js";
import { isoNow } from "./clock.js";
import { type FileStamp, same, stampOf, stat } from "./file-stamp.js";

/*
 * One writer per log per process (issue 13 item 1). The cross-process lock is
 * taken once and held while appends keep coming; the last seq and hash live
 * here; each line is one write(2) on one O_APPEND descriptor. Durability and
 * the hand-over between processes are described in README.md ("Writing").
 */

/**
 * A held lock with no append for this long is handed back. Until then a process that asks for it (below)
 * gets it within WANT_POLL_MS, so holding on costs others nothing, while a stream of calls a few tens of
 * milliseconds apart (a browser's actions) no longer takes the lock again for each one (issue 13 item 2).
 */
export const IDLE_RELEASE_MS = 1_000;
/** While the lock is held, how often the holder looks for another process's request for it. */
const WANT_POLL_MS = 5;
/** Lines of non-durable appends reach the disk (fdatasync) within this long. */
export const GROUP_COMMIT_MS = 5;
/** How long a durable append's wait for its sync keeps the event loop polling (hot-wait.ts) before it sleeps. */
const HOT_SYNC_WAIT_MS = 2;
/** A lock is re-taken at least this often, so its age never reaches the 10 s after which others judge it stale. */
const MAX_HOLD_MS = 2_000;
/** A waiter's request newer than this makes the holder let go at its next append; an older one was left by a waiter that died. */
const WANT_FRESH_MS = 1_000;
/** How long a holder that let go on request waits for the waiter to take the lock before competing again. */
const YIELD_MS = 50;

export interface AppendRequest {
  event: AuditEvent;
  /** True: on disk (fdatasync) before the promise settles. False: within GROUP_COMMIT_MS. */
  durable: boolean;
  /** The clock for `time` (tests pass their own); the system clock when absent. */
  now: (() => Date) | undefined;
  lock?: LockOptions;
}

interface Held {
  lock: HeldFileLock;
  since: number;
  fd: number;
  tail: TailState;
  /** Stamps of the log and both heads as this writer last left them; anything else means another hand touched them. */
  logStamp: FileStamp | undefined;
  heads: { path: string; fd: number; stamp: FileStamp | undefined; fresh: boolean }[];
  /** A torn last line cut off when the lock was taken, still to be recorded by the next line written. */
  torn: TornTail | undefined;
}

const writers = new Map<string, AuditWriter>();

/** The process's writer for the log at `path`. */
export function auditWriter(path: string): AuditWriter {
  const key = resolve(path);
  let writer = writers.get(key);
  if (!writer) {
    writer = new AuditWriter(key);
    writers.set(key, writer);
  }
  return writer;
}

let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // A process that ends (normally or by an uncaught error) makes its last lines durable and hands the lock back.
  process.on("exit", () => {
    for (const writer of writers.values()) writer.closeSync();
  });
}

export class AuditWriter {
  private held: Held | undefined;
  /** Appends up to the written line run one after another; durable waits happen outside this chain. */
  private chain: Promise<unknown> = Promise.resolve();
  private written: AuditHead | undefined;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  /** The sync in flight keeps the event loop polling itself (fdatasyncHot): a waiter need not add a second poll. */
  private syncingHot = false;
  private groupTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private wantTimer: NodeJS.Timeout | undefined;
  /** After handing the lock over on request: until then the next append lets the waiter take it first. */
  private yieldUntil = 0;
  /** When `<log>.lock.want` was last looked for; an append looks only when the 5 ms timer has not (a busy loop starves it). */
  private wantSeenAt = 0;
  private releasing: Promise<void> | undefined;
  /** The heads' next record, written just after the durable waiters have resumed (headsDueAt). */
  private headsDue: AuditHead | undefined;

  constructor(readonly path: string) {}

  append(request: AppendRequest): Promise<AuditEntry> {
    if (request.durable) expectSync();
    const line = this.chain.then(() => this.writeLine(request));
    this.chain = line.catch(() => undefined);
    if (!request.durable) return line;
    return line.then(async (entry) => {
      await this.syncThrough(entry.seq, HOT_SYNC_WAIT_MS);
      return entry;
    });
  }

  /** Everything written is on disk and both heads name it; the lock is handed back. */
  async close(): Promise<void> {
    await this.chain;
    await this.release();
  }

  private async writeLine({ event, durable, now, lock }: AppendRequest): Promise<AuditEntry> {
    // Redaction comes before hashing, so the chain covers exactly what is on disk. The person's seal
    // key, once it exists, is redacted too (issue 11 item 7); remembering it never creates it.
    await rememberSealKey();
    // A fresh copy, so the entry is built in it rather than in two more copies (issue 13 item 1).
    const entry = redactDeep(event) as unknown as Record<string, unknown>;
    if (this.releasing) await this.releasing;
    let held = this.held;
    if (held && (Date.now() - held.since > MAX_HOLD_MS || this.wantedDue())) {
      await this.release();
      held = undefined;
      // Let the waiter in: it removes its request once it holds the lock.
      const until = Date.now() + YIELD_MS;
      while (wanted(this.path) && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
    }
    if (!held) {
      while (Date.now() < this.yieldUntil && wanted(this.path)) await new Promise((r) => setTimeout(r, 1));
      held = await this.acquire(lock);
    } else if (!this.untouched(held)) held = await this.revalidate(held, lock);
    if (held.torn) {
      this.writeEntry(held, redactDeep(tornNote(held.torn)) as unknown as Record<string, unknown>, now, false);
      held.torn = undefined;
    }
    return this.writeEntry(held, entry, now, durable);
  }

  /** `entry`: a redacted copy of the event, this writer's own, which becomes the entry. */
  private writeEntry(
    held: Held,
    entry: Record<string, unknown>,
    now: (() => Date) | undefined,
    durable: boolean,
  ): AuditEntry {
    const tail = held.tail;
    // The chain's own members are the writer's, whatever the event held.
    entry.seq = tail.seq + 1;
    entry.time = now ? now().toISOString() : isoNow();
    entry.prev = tail.hash;
    const { hash, line } = sealLine(entry as Omit<AuditEntry, "hash">);
    entry.hash = hash;
    const bytes = Buffer.from(`${line}\n`, "utf8");
    // One write(2) on an O_APPEND descriptor. A kill can still cut it off between two pages; the next writer
    // to take the lock removes such a torn last line and records it (torn-line.ts).
    writeAll(held.fd, bytes);
    held.tail = { size: tail.size + bytes.length, seq: tail.seq + 1, hash };
    this.written = { seq: tail.seq + 1, hash };
    // A durable line's sync is asked for at once: the stamp, the timers and the hops back to append() then run
    // while the disk works, rather than before it is asked (~10 µs of a write call, bench/gate/PROFILE.md).
    if (durable && !this.syncing) this.startSync(HOT_SYNC_WAIT_MS).catch(() => undefined);
    held.logStamp = stampOf(fs.fstatSync(held.fd));
    this.schedule();
    return entry as unknown as AuditEntry;
  }

  /** Syncs everything written so far; `this.syncing` until it is done, which the append's own wait then meets. */
  private startSync(hotMs: number): Promise<void> {
    this.syncingHot = hotMs > 0;
    const syncing = this.syncNow(hotMs).finally(() => {
      if (this.syncing === syncing) this.syncing = undefined;
    });
    this.syncing = syncing;
    return syncing;
  }

  /**
   * Resolves once every line up to `seq` is fdatasynced; concurrent callers share one sync (group commit).
   * `hotMs`: how long a caller waiting for it keeps the event loop polling (0 for the group commit's timer).
   */
  private async syncThrough(seq: number, hotMs = 0): Promise<void> {
    while (this.synced < seq) {
      if (this.syncing) {
        await (hotMs > 0 && !this.syncingHot ? hotWait(this.syncing, hotMs) : this.syncing);
        continue;
      }
      await this.startSync(hotMs);
    }
  }

  /**
   * Never on the calling thread: fdatasyncSync there was 60-80 µs faster in a process of its own, but two to
   * three times slower in the gate bench's process, where another writer's syncs ran at the same time, and it
   * held up the event loop for the whole sync, milliseconds under load (bench/gate/PROFILE.md). A sync a
   * caller waits for goes to the audit's own thread (sync-thread.ts), the group commit's to the pool.
   */
  private async syncNow(hotMs: number): Promise<void> {
    for (;;) {
      const held = this.held;
      const target = this.written;
      if (!target) return;
      if (!held) {
        // Handed back before a sync went through (its sync failed): sync the file by path, heads stay behind.
        const fd = fs.openSync(this.path, "r");
        try {
          await fdatasyncHot(fd, hotMs);
        } finally {
          fs.closeSync(fd);
        }
      } else {
        try {
          await fdatasyncHot(held.fd, hotMs);
        } catch (error) {
          if (this.held !== held) continue; // the descriptor was replaced (revalidate) while syncing: sync the new one
          throw error;
        }
        if (this.held === held) this.headsDueAt(target);
      }
      this.synced = Math.max(this.synced, target.seq);
      return;
    }
  }

  private schedule(): void {
    if (!this.groupTimer)
      this.groupTimer = setTimeout(() => {
        this.groupTimer = undefined;
        if (this.written) this.syncThrough(this.written.seq).catch(() => undefined);
      }, GROUP_COMMIT_MS).unref();
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.idle(), IDLE_RELEASE_MS).unref();
  }

  private idle(): void {
    this.idleTimer = undefined;
    // Appends queued behind a pending one keep the lock; the next idle period hands it back.
    this.chain.then(() => (this.idleTimer ? undefined : this.release())).catch(() => undefined);
  }

  /**
   * Has another process asked for the log? Looked at by the 5 ms timer, and by an append only when the timer
   * has not looked for that long: appends that never yield to the event loop would starve the timer, and a
   * stat on every append was a twentieth of a read call (issue 13 item 1).
   */
  private wantedDue(): boolean {
    const now = Date.now();
    if (now - this.wantSeenAt < WANT_POLL_MS) return false;
    this.wantSeenAt = now;
    return wanted(this.path);
  }

  /** While held: another process asked for the log, so it is handed over between two appends. */
  private watchWants(): void {
    clearInterval(this.wantTimer);
    this.wantTimer = setInterval(() => {
      if (!this.held || this.releasing) return;
      this.wantSeenAt = Date.now();
      if (!wanted(this.path)) return;
      this.yieldUntil = Date.now() + YIELD_MS;
      this.chain.then(() => this.release()).catch(() => undefined);
    }, WANT_POLL_MS).unref();
  }

  private async acquire(options: LockOptions = {}): Promise<Held> {
    hookExit();
    fs.mkdirSync(dirname(this.path), { recursive: true });
    const lockPath = `${this.path}.lock`;
    // Uncontended (the common case): taken and read synchronously, no thread-pool round trips.
    const quick = tryFileLockQuick(lockPath, options);
    if (quick) return this.opened(quick, lockPath);
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    let wait = 1;
    for (;;) {
      const attempt = await tryFileLock(lockPath, { ...options, staleMs: options.staleMs ?? 10_000 });
      if ("held" in attempt) return this.opened(attempt.held, lockPath);
      if (Date.now() > deadline) {
        const by = attempt.heldBy
          ? ` by pid ${attempt.heldBy.pid} on ${attempt.heldBy.host} since ${attempt.heldBy.started}`
          : "";
        throw new WorksiteError(
          "locked",
          `timed out waiting for ${lockPath}, held${by || " by another process"}; remove it if no worksite process is running`,
        );
      }
      // Ask the holder to hand the log over at its next append instead of waiting for it to fall idle.
      await writeFile(`${lockPath}.want`, String(process.pid)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 10);
    }
  }

  /** The lock was just taken: a request for it is answered, and the log opened; a log it refuses lets the lock go. */
  private async opened(lock: HeldFileLock, lockPath: string): Promise<Held> {
    try {
      fs.unlinkSync(`${lockPath}.want`);
    } catch {
      // nobody asked
    }
    try {
      const held = this.open(lock);
      this.watchWants();
      return held;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** With the lock held: the log's tail, checked against both heads, and descriptors for the log and the heads. */
  private open(lock: HeldFileLock): Held {
    const fd = fs.openSync(this.path, "a", 0o644);
    try {
      const size = fs.fstatSync(fd).size;
      const torn = tornTail(this.path, size);
      const tail = readTailState(this.path, torn ? torn.at : size);
      const anchor = anchorPlace(this.path, { create: true });
      refuseIfCutBack(this.path, tail, anchor?.path);
      // A line its writer did not finish is no entry and no head names it (heads move only after a sync of whole
      // lines, and a cut back past a named entry was refused just above): cut it off, and record what it held.
      if (torn) fs.ftruncateSync(fd, torn.at);
      const heads = [headPath(this.path), ...(anchor ? [anchor.path] : [])].map((path) => {
        fs.mkdirSync(dirname(path), { recursive: true });
        // A head is never an empty file, whenever a kill lands: one missing (or left empty by an older version) is
        // created whole by rename, naming the tail as it is now (seq 0 for an empty log), before any line is added.
        if (!fs.statSync(path, { throwIfNoEntry: false })?.size) createHeadSync(path, tail);
        const headFd = fs.openSync(path, fs.constants.O_RDWR, 0o644);
        return { path, fd: headFd, stamp: stampOf(fs.fstatSync(headFd)), fresh: true };
      });
      const held: Held = { lock, since: Date.now(), fd, tail, logStamp: stampOf(fs.fstatSync(fd)), heads, torn };
      this.held = held;
      this.written = { seq: tail.seq, hash: tail.hash };
      this.synced = tail.seq;
      return held;
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** Cheap per-append check (three stats) that nobody else changed the log or a head while the lock was held. */
  private untouched(held: Held): boolean {
    if (!same(held.logStamp, stat(this.path))) return false;
    return held.heads.every((h) => same(h.stamp, stat(h.path)));
  }

  /**
   * Someone cut, replaced or edited the log or a head under us (or removed `.worksite/` with the lock in it):
   * hand the lock back and take it again, reading everything afresh and refusing a cut log as at the start.
   */
  private async revalidate(held: Held, lock: LockOptions | undefined): Promise<Held> {
    this.headsDue = undefined;
    this.closeFiles(held);
    this.held = undefined;
    clearInterval(this.wantTimer);
    await held.lock.release();
    return this.acquire(lock);
  }

  /**
   * A sync went through: the heads move to `head` on the next turn of the event loop, after the calls that waited
   * for the sync have gone on (their tool runs ~15 µs sooner); syncs in between share one write. A kill before
   * it leaves the heads one sync behind, which verify accepts (README.md, "Commit points").
   */
  private headsDueAt(head: AuditHead): void {
    const pending = this.headsDue;
    this.headsDue = head;
    if (!pending) setImmediate(() => this.writeDueHeads());
  }

  /** Release writes them before it closes the files, and revalidate drops them, so they are always the held files'. */
  private writeDueHeads(): void {
    const due = this.headsDue;
    this.headsDue = undefined;
    if (!due || !this.held) return;
    try {
      this.writeHeads(this.held, due);
    } catch {
      // A head left behind is one verify accepts; its stamp is then stale, so the next append reopens everything.
    }
  }

  private writeHeads(held: Held, head: AuditHead): void {
    const record = headRecord(head);
    // The local head first: it may be ahead of the anchor in the state folder after a crash, never behind.
    for (const h of held.heads) {
      fs.writeSync(h.fd, record, 0, record.length, 0);
      if (h.fresh) {
        if (fs.fstatSync(h.fd).size > HEAD_RECORD_BYTES) fs.ftruncateSync(h.fd, HEAD_RECORD_BYTES);
        h.fresh = false;
      }
      h.stamp = stampOf(fs.fstatSync(h.fd));
    }
  }

  private async release(): Promise<void> {
    if (this.releasing) return this.releasing;
    const held = this.held;
    if (!held) return;
    this.releasing = (async () => {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      clearInterval(this.wantTimer);
      if (this.written) await this.syncThrough(this.written.seq).catch(() => undefined);
      this.writeDueHeads();
      this.closeFiles(held);
      this.held = undefined;
      if (held.lock.releaseSync) held.lock.releaseSync();
      else await held.lock.release();
    })().finally(() => {
      this.releasing = undefined;
    });
    return this.releasing;
  }

  /** At process exit: the same as close(), synchronously. */
  closeSync(): void {
    const held = this.held;
    if (!held) return;
    this.writeDueHeads();
    try {
      if (this.written && this.synced < this.written.seq) {
        fs.fdatasyncSync(held.fd);
        this.writeHeads(held, this.written);
      }
    } catch {
      // The lines are in the file already; a head left behind is one verify accepts.
    }
    clearInterval(this.wantTimer);
    this.closeFiles(held);
    this.held = undefined;
    held.lock.releaseSync?.();
  }

  private closeFiles(held: Held): void {
    for (const fd of [held.fd, ...held.heads.map((h) => h.fd)]) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

function wanted(logPath: string): boolean {
  const want = stat(`${logPath}.lock.want`);
  return want !== undefined && Date.now() - want.mtimeMs < WANT_FRESH_MS;
}
