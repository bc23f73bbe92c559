import { hostname } from "node:os";
import { join } from "node:path";
import { type AuditLog, listApprovals, openAuditLog, safeLoadWorksite, UserError, type Worksite } from "@worksite/core";
import { liveLock, readState, type RunEvent, type RunResult } from "@worksite/runtime";
import { notifyPerson } from "./notify.js";
import { type WakeOutcome, type WakeRecord, readWakeRecord, updateWakeState, writeWakeRecord } from "./records.js";
import { demote, proposePromotion } from "./rollout.js";

/** Runs one round of the ordinary run loop, as `worksite run --rounds 1` would (runtime's runThread). */
export type RoundRunner = (options: {
  root: string;
  signal: AbortSignal;
  onEvent: (event: RunEvent) => void;
  /** Why the round runs, for skill triggers (default "schedule"). */
  event?: string;
}) => Promise<RunResult>;

export interface WakeOptions {
  root: string;
  /** The wake's time on the schedule (ms), before jitter. */
  scheduledFor: number;
  /** Same for every retry of this wake (queue job id, or the schedule's time): a retry never runs a second round. */
  key: string;
  /** Wakes missed while the machine slept that this one stands for. */
  missed?: number;
  now: () => number;
  runRound: RoundRunner;
  signal?: AbortSignal;
  worker?: string;
}

export const auditOf = (root: string): AuditLog => openAuditLog(join(root, ".worksite", "audit.jsonl"));

/** Why this thread must not be woken now, or undefined. Each reason is what `worksite inbox` shows. */
export async function whyNotWake(root: string): Promise<string | undefined> {
  const lock = await liveLock(root);
  if (lock) return `a round is running (run ${lock.run}, pid ${lock.pid} on ${lock.host}, since ${lock.started})`;
  const state = await readState(root);
  switch (state.state) {
    case "done":
      return "the thread is done";
    case "paused":
    case "blocked":
    case "budget-spent":
      return `the thread is ${state.state}${state.lastStop ? `: ${state.lastStop.reason}` : ""}; a person resumes it with \`worksite run\``;
    case "waiting": {
      const pending = (await listApprovals(root, { status: "pending" })).length;
      // Once every request is decided, the wake goes ahead: its round takes the person's answers.
      if (pending) return `the thread waits for a person (${pending} approval${pending === 1 ? "" : "s"} pending)`;
      break;
    }
    case "active":
      break;
  }
  return undefined;
}

/** A wake that never reached the thread (the last one's round still runs): recorded, not queued. */
export async function recordSkip(
  root: string,
  options: { key: string; scheduledFor: number; summary: string; now: number; worker?: string },
): Promise<WakeRecord> {
  const at = new Date(options.now).toISOString();
  const record: WakeRecord = {
    id: `${options.key}-skipped`,
    scheduledFor: new Date(options.scheduledFor).toISOString(),
    startedAt: at,
    endedAt: at,
    outcome: "skipped",
    summary: options.summary,
    links: [],
    read: false,
    archived: false,
    ...(options.worker ? { worker: options.worker } : {}),
  };
  if (await writeWakeRecord(root, record))
    await auditOf(root).append({
      type: "wake",
      actor: "automation",
      outcome: "blocked",
      message: `wake skipped: ${options.summary}`,
      data: { wake: record.id, scheduledFor: record.scheduledFor },
    });
  return record;
}

/**
 * One wake: checks the thread may run, runs one round under its lock, and leaves one record with the
 * outcome. The same `key` twice (a queue job redelivered after its worker died) runs at most one round
 * to completion: the first record written wins, and a round a dead worker left is redone by the run loop.
 */
export async function wakeThread(options: WakeOptions): Promise<WakeRecord> {
  const { root, now } = options;
  const id = options.key;
  const done = (await readWakeRecord(root, id)) ?? (await readWakeRecord(root, `${id}-skipped`));
  if (done) return done;
  const startedAt = new Date(now()).toISOString();
  const audit = auditOf(root);
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const base = {
    id,
    scheduledFor: new Date(options.scheduledFor).toISOString(),
    startedAt,
    worker,
    ...(options.missed ? { missed: options.missed } : {}),
    read: false,
    archived: false,
    links: [] as string[],
  };
  const finish = async (fields: Partial<WakeRecord> & { outcome: WakeOutcome; summary: string }) => {
    // A skip has its own name: another process's skip of this wake must not take the place of its result.
    const record: WakeRecord = {
      ...base,
      ...fields,
      ...(fields.outcome === "skipped" ? { id: `${id}-skipped` } : {}),
      endedAt: new Date(now()).toISOString(),
    };
    if (await writeWakeRecord(root, record)) {
      await audit.append({
        type: "wake",
        actor: "automation",
        ...(record.run ? { run: record.run } : {}),
        ...(record.round !== undefined ? { round: record.round } : {}),
        outcome: record.outcome === "failed" ? "error" : record.outcome === "skipped" ? "blocked" : "ok",
        message: `wake ${record.outcome}: ${record.summary}`,
        data: {
          wake: record.id,
          scheduledFor: record.scheduledFor,
          ...(record.missed ? { missed: record.missed } : {}),
        },
      });
      return record;
    }
    return (await readWakeRecord(root, record.id)) ?? record;
  };

  const loaded = await safeLoadWorksite(root);
  if (!loaded.ok) {
    const first = loaded.diagnostics.find((d) => d.severity === "error");
    return finish({
      outcome: "failed",
      summary: `the worksite files have errors${first ? ` (${first.file}:${first.line}: ${first.message})` : ""}; run \`worksite check\``,
    });
  }
  const worksite = loaded.value;
  const stage = worksite.thread.stage;
  await updateWakeState(
    root,
    worksite.thread.wake ?? "",
    (s) => ({
      ...s,
      lastScheduled: base.scheduledFor,
      ...(s.stage !== stage ? { stage, stageSince: startedAt } : {}),
    }),
    now(),
  );
  const why = await whyNotWake(root);
  if (why) {
    const record = await finish({ outcome: "skipped", summary: why, stage });
    return record;
  }
  const catchUp = options.missed ? ` (a catch-up for ${options.missed} wakes missed while nothing ran)` : "";
  await audit.append({
    type: "wake",
    actor: "automation",
    message: `woke the thread for the wake at ${base.scheduledFor}${catchUp}`,
    data: { wake: id, worker },
  });
  const events: RunEvent[] = [];
  let result: RunResult;
  try {
    result = await options.runRound({
      root,
      signal: options.signal ?? new AbortController().signal,
      onEvent: (e) => events.push(e),
    });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    // The lock went to someone else between the look and the round: the same as finding it running.
    if (UserError.isInstance(error) && /already running|rollback/.test(message))
      return finish({ outcome: "skipped", summary: message, stage });
    return finish({ outcome: options.signal?.aborted ? "interrupted" : "failed", summary: message, stage });
  }
  const round = events.find((e) => e.type === "round-start")?.round ?? result.rounds.at(-1);
  const calls = events.filter((e) => e.type === "call");
  const ended = result.rounds.length > 0;
  const outcome: WakeOutcome = options.signal?.aborted
    ? "interrupted"
    : result.state === "done"
      ? "done"
      : result.state === "active"
        ? calls.length || events.some((e) => e.type === "verified" && e.failed)
          ? "continued"
          : "nothing to report"
        : "waiting for a person";
  const links = ended && round !== undefined ? [`PROGRESS.md#round-${round}`, `artifacts/round-${round}/`] : [];

  // Incidents matter to a staged rollout; without one, reading the whole log back after every wake is cost for nothing.
  const incident = ended && worksite.thread.rollout ? await findIncident(root, worksite, result.run, audit) : undefined;
  const record = await finish({
    outcome,
    summary: result.reason || outcome,
    ...(round !== undefined ? { round } : {}),
    run: result.run,
    links,
    stage,
    ...(incident ? { incident } : {}),
    // Nothing changed and nothing failed: kept, but out of the way (issue 16: the inbox archives such runs).
    archived: outcome === "nothing to report",
  });
  const plan = worksite.thread.rollout;
  if (plan && ended) {
    if (incident) await demote(root, stage, incident, { audit, now: now() });
    else await proposePromotion(root, plan, stage, { now: now(), audit });
  }
  if (worksite.thread.notify && needsPerson(record))
    await notifyPerson(root, worksite.thread.notify, record, audit).catch(() => undefined);
  return record;
}

export function needsPerson(record: WakeRecord): boolean {
  return record.outcome === "waiting for a person" || record.outcome === "failed" || record.incident !== undefined;
}

/**
 * Issue 16 item 5: a call a rule refused, the same verification failing N wakes in a row, or an audit
 * chain that does not verify. A call the stage itself held back (monitor's read-only, draft's drafts) is
 * the rollout working, not an incident.
 */
async function findIncident(
  root: string,
  worksite: Worksite,
  run: string,
  audit: AuditLog,
): Promise<string | undefined> {
  const chain = await audit.verify();
  if (!chain.ok) return `the audit log does not verify (line ${chain.line}: ${chain.problem})`;
  const refused = (await audit.entries()).find(
    (e) => e.run === run && e.outcome === "refused" && e.type === "decision" && !e.decision?.clamped,
  );
  if (refused)
    return `a call was refused: ${refused.tool}${refused.target ? ` ${refused.target}` : ""} (${refused.decision?.reason ?? refused.message ?? "refused"})`;
  const limit = worksite.thread.rollout?.sameFailure;
  const failure = (await readState(root)).failure;
  if (limit !== undefined && failure && failure.count >= limit)
    return `the same verification failed ${failure.count} times in a row: ${failure.summary}`;
  return undefined;
}
