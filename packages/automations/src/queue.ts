import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { hostname } from "node:os";
import { driftDiagnostic } from "./drift.js";
import { safeLoadWorksite, UserError, wakeSpec } from "@worksite/core";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { expiredWhy, scheduleSince, wakeExpiresAt } from "./expiry.js";
import { jitterFor } from "./jitter.js";
import { type WakeRecord, wakeId } from "./records.js";
import { type Schedule, scheduleFor } from "./schedule.js";
import { breakDeadWorkerLock, withHeartbeat } from "./queue-heartbeat.js";
import { type RoundRunner, wakeThread } from "./wake-thread.js";

/*
 * Issue 16 item 6: many workers on many machines share the schedules through BullMQ job schedulers
 * (upsertJobScheduler: one scheduler per thread, the same id from every worker, so the schedule exists
 * once). Each fire is one job, and a job is taken by one worker. A worker killed mid-round stops
 * renewing its job's lock; after `lockMs` another worker finds it stalled and takes it again, and the
 * run loop redoes the round the dead worker left (its thread lock is stale: the holder is gone).
 * Across hosts a thread lock cannot be checked by pid: queue-heartbeat.ts keeps a heartbeat per round in
 * Redis, so a dead worker's lock on another machine goes stale too.
 * The wake's record is keyed by the job id, so a retry never adds a second round for the same wake.
 */

export const QUEUE_NAME = "worksite-wakes";

export interface QueueWorkerOptions {
  /** redis://[:password@]host:port[/db] */
  url: string;
  roots: string[];
  runRound: RoundRunner;
  /** How long a job's lock lasts unrenewed: a killed worker's wake is retried after about this long. */
  lockMs?: number;
  worker?: string;
  onWake?: (root: string, record: WakeRecord) => void;
  onStop?: (root: string, why: string) => void;
  onError?: (error: unknown) => void;
  /** Spread many threads on one interval (≤10% of the period, capped), as the embedded scheduler does; tests turn it off. */
  jitter?: boolean;
}

export interface QueueWorker {
  stop(options?: { interrupt?: boolean }): Promise<void>;
}

interface WakeJobData {
  root: string;
}

export function redisOptions(url: string): { host: string; port: number; password?: string; db?: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--queue ${url} is not a URL`, { hint: "e.g. --queue redis://127.0.0.1:6379" });
  }
  if (parsed.protocol !== "redis:")
    throw new UserError(`--queue ${url}: only redis:// is supported`, { hint: "e.g. --queue redis://127.0.0.1:6379" });
  const db = parsed.pathname.replace(/^\//, "");
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

/** The same id for the same thread from every worker: the thread's folder, hashed. */
export function schedulerId(root: string): string {
  return `thread-${createHash("sha256").update(root).digest("hex").slice(0, 16)}`;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = redisOptions(options.url);
  // BullMQ blocks on its worker connection; retrying forever is what a long-lived worker wants.
  const queueConnection = new Redis({ ...connection, maxRetriesPerRequest: null });
  const queue = new Queue<WakeJobData>(QUEUE_NAME, { connection: queueConnection });
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const controllers = new Set<AbortController>();
  // Each thread's schedule and expiry, for deciding after a wake whether another one is left.
  const expiring = new Map<string, { schedule: Schedule; expiresAt: number }>();

  for (const given of options.roots) {
    const root = realpath(given);
    const loaded = await safeLoadWorksite(root);
    if (!loaded.ok) {
      options.onStop?.(root, "the worksite files have errors; run `worksite check`");
      continue;
    }
    const text = loaded.value.thread.wake;
    const spec = text ? wakeSpec(text) : undefined;
    if (!spec || !text) {
      options.onStop?.(root, "THREAD.md has no wake:");
      continue;
    }
    const drift = driftDiagnostic(loaded.value);
    if (drift) {
      options.onStop?.(root, `${drift.message}; ${drift.hint}`);
      continue;
    }
    const id = schedulerId(root);
    const template = { name: "wake", data: { root } };
    const now = Date.now();
    const since = await scheduleSince(root, text, now);
    const schedule = scheduleFor(text, since);
    const expiresAt = wakeExpiresAt(loaded.value, spec.kind, since);
    if (expiresAt !== undefined && (schedule.next(now) ?? 0) > expiresAt) {
      await queue.removeJobScheduler(id).catch(() => undefined);
      options.onStop?.(root, expiredWhy(expiresAt));
      continue;
    }
    if (expiresAt !== undefined) expiring.set(root, { schedule, expiresAt });
    // BullMQ stops making jobs after endDate; the worker also says so when the last wake before it ran.
    const end = expiresAt !== undefined ? { endDate: expiresAt } : {};
    if (spec.kind === "interval") {
      const offset = options.jitter === false ? 0 : jitterFor(root, spec.ms);
      await queue.upsertJobScheduler(id, { every: spec.ms, ...(offset ? { offset } : {}), ...end }, template);
    } else if (spec.kind === "cron")
      // No jitter here: BullMQ offsets only `every` schedules, so cron wakes fire at their exact minute on every worker.
      await queue.upsertJobScheduler(
        id,
        { pattern: spec.expression, ...(spec.timezone ? { tz: spec.timezone } : {}), ...end },
        template,
      );
    else {
      const at = Date.parse(spec.at);
      // A fixed job id: every worker adds the same one-shot, and the queue keeps one.
      await queue.add("wake", { root }, { jobId: `once-${id}-${at}`, delay: Math.max(0, at - now) });
    }
  }

  const lockDuration = options.lockMs ?? 30_000;
  const processWake = async (job: Job<WakeJobData>): Promise<string> => {
    const root = job.data.root;
    const scheduledFor =
      typeof job.opts.prevMillis === "number" ? job.opts.prevMillis : job.timestamp + (job.opts.delay ?? 0);
    const controller = new AbortController();
    controllers.add(controller);
    try {
      await breakDeadWorkerLock(queueConnection, root);
      const record = await withHeartbeat(queueConnection, root, lockDuration, () =>
        wakeThread({
          root,
          scheduledFor,
          key: wakeId(scheduledFor, schedulerId(root)),
          now: () => Date.now(),
          runRound: options.runRound,
          signal: controller.signal,
          worker,
        }),
      );
      options.onWake?.(root, record);
      if (record.outcome === "done" || record.summary === "the thread is done") {
        await queue.removeJobScheduler(schedulerId(root)).catch(() => undefined);
        options.onStop?.(root, "the thread is done");
      } else {
        const lapse = expiring.get(root);
        if (lapse && (lapse.schedule.next(Math.max(scheduledFor, Date.now())) ?? 0) > lapse.expiresAt) {
          expiring.delete(root);
          await queue.removeJobScheduler(schedulerId(root)).catch(() => undefined);
          options.onStop?.(root, expiredWhy(lapse.expiresAt));
        }
      }
      return record.outcome;
    } finally {
      controllers.delete(controller);
    }
  };

  const consumer = new Worker<WakeJobData>(QUEUE_NAME, processWake, {
    connection: { ...connection, maxRetriesPerRequest: null },
    concurrency: 1,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // A wake that stalls twice (two workers died on it) is failed rather than retried forever; the next wake comes anyway.
    maxStalledCount: 2,
  });
  consumer.on("error", (error) => options.onError?.(error));
  consumer.on("failed", (_job, error) => options.onError?.(error));

  return {
    async stop(stopOptions) {
      if (stopOptions?.interrupt) for (const c of controllers) c.abort();
      // close() waits for the running job: its round finishes, or ends interrupted when told to.
      await consumer.close();
      await queue.close();
      queueConnection.disconnect();
    },
  };
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
