import { realpathSync } from "node:fs";
import { driftDiagnostic } from "./drift.js";
import { safeLoadWorksite } from "@worksite/core";
import { type Clock, systemClock } from "./clock.js";
import { expiredWhy, wakeExpiresAt } from "./expiry.js";
import { jitterFor } from "./jitter.js";
import { readWakeState, updateWakeState, type WakeRecord, wakeId } from "./records.js";
import { type Schedule, scheduleFor, wakesBetween } from "./schedule.js";
import { runAutomation, type ScheduledAutomation, readAutomations } from "./scheduled.js";
import { type RoundRunner, recordSkip, wakeThread } from "./wake-thread.js";

export { DEFAULT_WAKE_EXPIRY_MS } from "./expiry.js";
/**
 * The longest the scheduler sleeps without looking at the wall clock. Node's timers run on a monotonic
 * clock that stops while a laptop sleeps; looking at least this often notices the jump and catches up.
 */
export const MAX_SLEEP_MS = 60_000;

export interface SchedulerOptions {
  roots: string[];
  runRound: RoundRunner;
  clock?: Clock;
  /** Spread many threads on one schedule (≤10% of the period, capped); tests that check exact times turn it off. */
  jitter?: boolean;
  /** Each result, as it is recorded. */
  onWake?: (root: string, record: WakeRecord) => void;
  /** A thread that stops waking (done, expired, a one-shot that ran, no wake: in THREAD.md) and why. */
  onStop?: (root: string, why: string) => void;
  worker?: string;
  /** For scheduled automations: where their run folders go (WORKSITE_AUTOMATION_RUNS, XDG_CACHE_HOME, HOME). */
  env?: NodeJS.ProcessEnv;
  /** A wake that failed outside any round (a file the scheduler could not write): the daemon logs it and goes on. */
  onError?: (root: string, error: unknown) => void;
}

export interface Scheduler {
  /** When each thread wakes next (ms), for status and tests. */
  next(): Map<string, number | undefined>;
  /** Resolves when no round is running. */
  idle(): Promise<void>;
  /** Stops scheduling; a running round is told to stop (it finishes its tool call and is redone at the next wake). */
  stop(options?: { interrupt?: boolean }): Promise<void>;
}

interface Slot {
  root: string;
  key: string;
  /** A scheduled automation (automations/NAME.md), not the thread's own wake. */
  automation?: ScheduledAutomation;
  text: string;
  schedule: Schedule;
  /** The wake's time on the schedule, and when it fires (with jitter). */
  planned?: number;
  due?: number;
  running?: Promise<void>;
  controller?: AbortController;
  since: number;
  expiresAt?: number;
}

/**
 * The embedded scheduler: one timer for all threads, however many. At a wake it asks the run loop for
 * one round (wakeThread); it owns schedules, never rounds.
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const clock = options.clock ?? systemClock;
  const slots: Slot[] = [];
  let cancel: (() => void) | undefined;
  let stopped = false;

  const plan = (slot: Slot, after: number) => {
    const at = slot.schedule.next(after);
    slot.planned = at;
    slot.due =
      at === undefined
        ? undefined
        : at + (options.jitter === false ? 0 : jitterFor(slot.key, slot.schedule.period(at)));
    if (slot.expiresAt !== undefined && slot.due !== undefined && slot.due > slot.expiresAt) {
      slot.due = undefined;
      stopSlot(slot, expiredWhy(slot.expiresAt));
    }
    if (!slot.automation)
      void updateWakeState(
        slot.root,
        slot.text,
        (s) => {
          const { nextWake: _n, ...rest } = s;
          return slot.due === undefined ? rest : { ...rest, nextWake: new Date(slot.due).toISOString() };
        },
        clock.now(),
      ).catch(() => undefined);
  };

  const stopSlot = (slot: Slot, why: string) => {
    slot.due = undefined;
    options.onStop?.(slot.root, why);
  };

  const fire = (slot: Slot) => {
    const now = clock.now();
    const planned = slot.planned!;
    if (slot.running) {
      // No overlap: the wake is skipped, not queued, and the record says so.
      void recordSkip(slot.root, {
        key: slot.automation ? `${recordKey(planned)}-auto-${slot.automation.name}` : recordKey(planned),
        scheduledFor: planned,
        summary: `the round of an earlier wake is still running (overlap); this wake is skipped, not queued`,
        now,
        ...(options.worker ? { worker: options.worker } : {}),
      })
        .then((r) => options.onWake?.(slot.root, r))
        .catch(() => undefined);
      plan(slot, now);
      return;
    }
    // Everything on the schedule between the planned wake and now was missed (a sleeping machine): one catch-up.
    const after = wakesBetween(slot.schedule, planned, now);
    const missed = after ? after + 1 : 0;
    plan(slot, now);
    const controller = new AbortController();
    slot.controller = controller;
    const once = slot.schedule.spec.kind === "once";
    const common = {
      scheduledFor: planned,
      ...(missed ? { missed } : {}),
      now: () => clock.now(),
      runRound: options.runRound,
      signal: controller.signal,
      ...(options.worker ? { worker: options.worker } : {}),
    };
    const wake = slot.automation
      ? runAutomation(slot.root, slot.automation, { ...common, ...(options.env ? { env: options.env } : {}) })
      : wakeThread({ root: slot.root, key: recordKey(planned), ...common });
    slot.running = wake
      .then(async (record) => {
        options.onWake?.(slot.root, record);
        if (
          !slot.automation &&
          (record.outcome === "done" || (record.outcome === "skipped" && record.summary === "the thread is done"))
        )
          stopSlot(slot, "the thread is done");
        else if (once && record.outcome !== "skipped") stopSlot(slot, "the one-shot wake ran");
        if (slot.due === undefined && !slot.automation) await markStopped(slot);
      })
      .catch((error: unknown) => options.onError?.(slot.root, error))
      .finally(() => {
        slot.running = undefined;
        slot.controller = undefined;
      });
  };

  const markStopped = (slot: Slot) =>
    updateWakeState(slot.root, slot.text, (s) => ({ ...s, stopped: "no more wakes" }), clock.now()).catch(
      () => undefined,
    );

  const tick = () => {
    cancel = undefined;
    if (stopped) return;
    const now = clock.now();
    for (const slot of slots) if (slot.due !== undefined && slot.due <= now) fire(slot);
    arm();
  };

  const arm = () => {
    cancel?.();
    if (stopped) return;
    let first: number | undefined;
    for (const slot of slots) if (slot.due !== undefined && (first === undefined || slot.due < first)) first = slot.due;
    if (first === undefined) return;
    cancel = clock.setTimer(tick, Math.min(Math.max(0, first - clock.now()), MAX_SLEEP_MS));
  };

  for (const given of options.roots) {
    const root = realpathOr(given);
    const loaded = await safeLoadWorksite(root);
    if (!loaded.ok) {
      options.onStop?.(root, "the worksite files have errors; run `worksite check`");
      continue;
    }
    // Scheduled automations (automations/*.md) run whether or not the thread itself wakes.
    const { automations, problems } = await readAutomations(root);
    for (const p of problems) options.onStop?.(root, `${p.file}:${p.line}: ${p.message}`);
    for (const automation of automations) {
      const slot: Slot = {
        root,
        key: `${root}#${automation.name}`,
        text: automation.schedule,
        schedule: scheduleFor(automation.schedule, clock.now()),
        since: clock.now(),
        automation,
      };
      slots.push(slot);
      plan(slot, clock.now());
    }
    const text = loaded.value.thread.wake;
    if (!text) {
      if (!automations.length) options.onStop?.(root, "THREAD.md has no wake:");
      continue;
    }
    const drift = driftDiagnostic(loaded.value);
    if (drift) {
      options.onStop?.(root, `${drift.message}; ${drift.hint}`);
      continue;
    }
    const now = clock.now();
    const state = await readWakeState(root);
    const sameSchedule = state?.schedule === text;
    const since = sameSchedule ? Date.parse(state.since) : now;
    const schedule = scheduleFor(text, since);
    const expiresAt = wakeExpiresAt(loaded.value, schedule.spec.kind, since);
    const slot: Slot = {
      root,
      key: root,
      text,
      schedule,
      since,
      // `pinned: true` (in wake: or at the top of THREAD.md, where it also lists the thread first) keeps it waking.
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
    slots.push(slot);
    const last = sameSchedule && state.lastScheduled ? Date.parse(state.lastScheduled) : undefined;
    // A wake that fell while no scheduler ran (the daemon was down, the machine off) is caught up once, now.
    const missedFrom = last ?? (schedule.spec.kind === "once" && !sameSchedule ? since - 1 : undefined);
    const owed = missedFrom !== undefined ? schedule.next(missedFrom) : undefined;
    if (owed !== undefined && owed <= now) {
      slot.planned = owed;
      slot.due = now;
    } else if (schedule.spec.kind === "once" && last !== undefined) {
      stopSlot(slot, "the one-shot wake ran");
    } else plan(slot, now);
    if (!sameSchedule) await updateWakeState(root, text, (s) => s, now);
  }
  arm();

  return {
    next: () => new Map(slots.filter((s) => !s.automation).map((s) => [s.root, s.due])),
    async idle() {
      for (;;) {
        const running = slots.flatMap((s) => (s.running ? [s.running] : []));
        if (!running.length) return;
        await Promise.all(running);
      }
    },
    async stop(stopOptions) {
      stopped = true;
      cancel?.();
      if (stopOptions?.interrupt) for (const s of slots) s.controller?.abort();
      await Promise.all(slots.flatMap((s) => (s.running ? [s.running] : [])));
      // Queued behind the last plan's write, so what status reads afterwards is settled.
      await Promise.all(
        slots.map((s) => updateWakeState(s.root, s.text, (w) => w, clock.now()).catch(() => undefined)),
      );
    },
  };
}

const recordKey = (planned: number) => wakeId(planned, "local");

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
