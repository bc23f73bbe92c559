/**
 * The scheduler's only view of time. Passed in, never global (CONVENTIONS 7):
 * tests drive a manual clock, so "the laptop slept five hours" is one call.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

export interface ManualClock extends Clock {
  /** Moves time forward and fires, in order, every timer that came due (a timer set meanwhile fires too if due). */
  advance(ms: number): void;
  /** Sets the time (forward or back) and fires what came due: a suspended machine waking up, or an NTP jump. */
  jumpTo(ms: number): void;
  /** Timers not yet fired. */
  pending(): number;
}

/** A clock that moves only when told to. */
export function createManualClock(start: number): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fireDue = () => {
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) if (entry[1].at <= now && (!first || entry[1].at < first[1].at)) first = entry;
      if (!first) return;
      timers.delete(first[0]);
      first[1].fn();
    }
  };
  return {
    now: () => now,
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => timers.delete(id);
    },
    advance(ms) {
      now += ms;
      fireDue();
    },
    jumpTo(ms) {
      now = ms;
      fireDue();
    },
    pending: () => timers.size,
  };
}
