import { type WakeSpec, wakeSpec } from "@worksite/core";
import { Cron } from "croner";

/** When a thread's wakes fall: the times after a given instant, and how long one period is there. */
export interface Schedule {
  readonly spec: WakeSpec;
  /** The first wake strictly after `after` (ms since the epoch); undefined when none is left (a one-shot that passed). */
  next(after: number): number | undefined;
  /** One period near `at`, for jitter and for "this wake is late"; undefined for a one-shot. */
  period(at: number): number | undefined;
}

/**
 * `anchor`: where an interval counts from (the time the schedule was first seen), so a restarted
 * daemon keeps the same beat instead of starting a fresh period at each restart.
 */
export function scheduleFor(text: string, anchor: number): Schedule {
  const spec = wakeSpec(text);
  if (!spec) throw new Error(`not a wake schedule: ${text}`);
  switch (spec.kind) {
    case "interval": {
      const ms = spec.ms;
      return {
        spec,
        next: (after) => anchor + (Math.floor((after - anchor) / ms) + 1) * ms,
        period: () => ms,
      };
    }
    case "once": {
      const at = Date.parse(spec.at);
      return { spec, next: (after) => (at > after ? at : undefined), period: () => undefined };
    }
    case "cron": {
      const cron = new Cron(spec.expression, { paused: true, ...(spec.timezone ? { timezone: spec.timezone } : {}) });
      const next = (after: number) => cron.nextRun(new Date(after))?.getTime();
      return {
        spec,
        next,
        period: (at) => {
          const a = next(at);
          const b = a === undefined ? undefined : next(a);
          return a === undefined || b === undefined ? undefined : b - a;
        },
      };
    }
  }
}

/**
 * How many wakes fell in (from, to]: the ones a sleeping machine missed. Counting stops at `cap`
 * (a 1s schedule after a week asleep is "over 1000", not a loop of 600k steps).
 */
export function wakesBetween(schedule: Schedule, from: number, to: number, cap = 1000): number {
  let n = 0;
  for (let t = schedule.next(from); t !== undefined && t <= to && n < cap; t = schedule.next(t)) n++;
  return n;
}
