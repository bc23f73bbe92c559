import fs from "node:fs";
import { getSystemErrorName } from "node:util";
import { Worker } from "node:worker_threads";
import { hotWait } from "./hot-wait.js";

/*
 * A durable append's fdatasync, on a thread of the audit's own (issue 13 item 1, bench/gate/PROFILE.md).
 *
 * In the thread pool, a write call's sync first waits for a pool thread to wake, and on this machine kind
 * waking a thread on an idle virtual CPU took ~35-50 µs of a ~350 µs call. This thread is woken as the
 * append begins (expectSync), while the line is redacted, sealed and written, so it takes the request at
 * once; and it keeps looking for the next request for 2 ms after each sync, so that during a stream of write
 * calls it is awake when the next one begins (waking a thread that sleeps cost the main thread ~20 µs more).
 * Then it sleeps. Nothing else changes: the call goes on only after fdatasync(2) returned, on the log's own
 * descriptor.
 *
 * The thread starts at a process's second durable sync (a one-shot command never starts it); its first
 * syncs meanwhile go to the pool, and so does any sync while it is busy or if it failed to start or died.
 */

/** How long the thread, once woken, looks for a request, and for the next one after each sync, before it sleeps. */
const SPIN_MS = 2;
/**
 * A gap this long between two looks means the scheduler gave the core to someone else: the machine is busy,
 * and a thread that keeps spinning there gets the core back last (a sleeper woken gets it first), so it sleeps
 * at once. Under two busy processes, a thread that spun regardless made write calls ~15 times slower.
 */
const PREEMPTED_MS = 0.1;

// The cells shared with the thread.
const REQUEST = 0; // the number of the latest request
const DONE = 1; // the number of the latest request synced
const FD = 2; // the descriptor to sync
const ERRNO = 3; // 0, or the failed sync's errno
const PARKED = 4; // a request the main thread no longer polls for: the thread posts a message when it is done
const READY = 5; // 1 once the thread looks for requests
const SIGNAL = 6; // moves with each request and each expectSync: an asleep thread sleeps until it moves

// getBuiltinModule, not require or import: an eval'd thread is a module or a script as its parent's flags say.
const SOURCE = `
const { workerData, parentPort } = process.getBuiltinModule("node:worker_threads");
const { fdatasyncSync } = process.getBuiltinModule("node:fs");
const cells = new Int32Array(workerData.cells);
Atomics.store(cells, ${READY}, 1);
let seen = 0;
let signal = 0;
for (;;) {
  // Asleep until the main thread signals: a request, or an append that is about to ask for one.
  Atomics.wait(cells, ${SIGNAL}, signal);
  signal = Atomics.load(cells, ${SIGNAL});
  // Awake, it takes requests as they come, and keeps looking for ${SPIN_MS} ms after each one.
  let now = performance.now();
  let until = now + ${SPIN_MS};
  for (;;) {
    if (Atomics.load(cells, ${REQUEST}) === seen) {
      const last = now;
      now = performance.now();
      if (now > until || now - last > ${PREEMPTED_MS}) break;
      continue;
    }
    seen = Atomics.load(cells, ${REQUEST});
    signal = Atomics.load(cells, ${SIGNAL});
    let errno = 0;
    try {
      fdatasyncSync(Atomics.load(cells, ${FD}));
    } catch (error) {
      errno = typeof error.errno === "number" ? Math.abs(error.errno) || 5 : 5;
    }
    Atomics.store(cells, ${ERRNO}, errno);
    Atomics.store(cells, ${DONE}, seen);
    if (Atomics.load(cells, ${PARKED}) === seen) parentPort.postMessage(seen);
    now = performance.now();
    until = now + ${SPIN_MS};
  }
}
`;

interface Request {
  n: number;
  fd: number;
  hotUntil: number;
  /** No longer polled for: the thread is ref'd, keeping the process alive, until its message comes. */
  parked?: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface SyncThread {
  worker: Worker;
  cells: Int32Array;
}

let thread: SyncThread | "failed" | undefined;
let enabled = true;
let hotSyncs = 0;
let requests = 0;
let pending: Request | undefined;

/**
 * fdatasync(fd), waited for with the event loop kept polling for at most `hotMs` (hot-wait.ts) and then asleep.
 * `hotMs` 0 (a group commit nobody waits on) syncs in the pool, as before.
 */
export function fdatasyncHot(fd: number, hotMs: number): Promise<void> {
  if (hotMs <= 0) return poolSync(fd);
  const ready = enabled ? readyThread() : undefined;
  if (!ready || pending) return hotWait(poolSync(fd), hotMs);
  return new Promise<void>((resolve, reject) => {
    const request: Request = { n: ++requests, fd, hotUntil: performance.now() + hotMs, resolve, reject };
    pending = request;
    Atomics.store(ready.cells, FD, fd);
    Atomics.store(ready.cells, REQUEST, request.n);
    Atomics.add(ready.cells, SIGNAL, 1);
    Atomics.notify(ready.cells, SIGNAL);
    setImmediate(poll);
  });
}

/** A durable append has begun: the thread wakes now, so that it is awake when the append's sync is asked for. */
export function expectSync(): void {
  if (!enabled || typeof thread !== "object" || pending) return;
  Atomics.add(thread.cells, SIGNAL, 1);
  Atomics.notify(thread.cells, SIGNAL);
}

/** False sends every sync to the pool, as before the thread: for bench/gate/trace-write.mjs's side-by-side runs. */
export function useSyncThread(on: boolean): void {
  enabled = on;
}

/** Whether the thread runs, and how many syncs it has made: what the durability tests watch, since a spy on this thread's `node:fs` cannot see its calls. */
export function syncThreadState(): { state: "off" | "starting" | "ready" | "failed"; synced: number } {
  if (thread === undefined || thread === "failed") return { state: thread ?? "off", synced: 0 };
  const ready = Atomics.load(thread.cells, READY) === 1;
  return { state: ready ? "ready" : "starting", synced: Atomics.load(thread.cells, DONE) };
}

function readyThread(): SyncThread | undefined {
  if (thread === "failed") return undefined;
  if (!thread) {
    if (++hotSyncs >= 2) thread = startThread();
    return undefined;
  }
  return Atomics.load(thread.cells, READY) === 1 ? thread : undefined;
}

function startThread(): SyncThread | "failed" {
  try {
    const cells = new Int32Array(new SharedArrayBuffer(7 * Int32Array.BYTES_PER_ELEMENT));
    const worker = new Worker(SOURCE, { eval: true, workerData: { cells: cells.buffer } });
    worker.on("message", (n: number) => {
      if (pending?.n === n) settle(pending);
    });
    // A thread that died hands its request to the pool, and every later sync goes there too.
    const fail = () => {
      thread = "failed";
      const request = pending;
      pending = undefined;
      if (request) poolSync(request.fd).then(request.resolve, request.reject);
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    // After the listeners: adding the message listener refs the thread again.
    worker.unref();
    return { worker, cells };
  } catch {
    return "failed";
  }
}

function poll(): void {
  const request = pending;
  if (!request || typeof thread !== "object") return;
  if (Atomics.load(thread.cells, DONE) === request.n) settle(request);
  else if (performance.now() < request.hotUntil) setImmediate(poll);
  else {
    // From here the loop may sleep: the thread posts a message once done. Parked first, then looked again,
    // as the thread marks it done first, then looks: one of the two always sees the other.
    Atomics.store(thread.cells, PARKED, request.n);
    if (Atomics.load(thread.cells, DONE) === request.n) settle(request);
    else {
      request.parked = true;
      thread.worker.ref();
    }
  }
}

function settle(request: Request): void {
  if (pending !== request || typeof thread !== "object") return;
  pending = undefined;
  if (request.parked) thread.worker.unref();
  const errno = Atomics.load(thread.cells, ERRNO);
  if (errno === 0) request.resolve();
  else request.reject(syncError(errno));
}

function syncError(errno: number): Error {
  let code = "EIO";
  try {
    code = getSystemErrorName(-errno);
  } catch {
    // an errno this Node does not name
  }
  return Object.assign(new Error(`${code}: fdatasync failed`), { code, errno: -errno, syscall: "fdatasync" });
}

function poolSync(fd: number): Promise<void> {
  return new Promise((done, fail) => fs.fdatasync(fd, (error) => (error ? fail(error) : done())));
}
