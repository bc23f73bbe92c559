import type { LockInfo } from "./lock.js";
import type { GoalState, ThreadState } from "./state.js";

/** Where a thread stands as a person reads it: `worksite status`, `thread.status` (and MCP's thread_status) say the same. */
export interface ThreadStanding {
  /** The last round that finished (state.json), never a session's own round number. */
  round: number;
  /** The word a person reads: a run working now is "running", a round left unfinished "interrupted"; otherwise state.json's. */
  state: GoalState | "running" | "interrupted";
  /** state.json's own state word, for tools that act on it. */
  recordedState: GoalState;
  running: { run: string; pid: number; since: string; round: number } | null;
  interruptedRound: number | null;
  /** The most recent stop: an interruption counts, unless a stop recorded after it is more recent. */
  lastStop: { round: number; reason: string; at: string; interrupted?: true } | null;
}

/** `lock`: the live lock (liveLock), if any; a lock left by a process that is gone is nobody's. */
export function threadStanding(state: ThreadState, lock: LockInfo | undefined): ThreadStanding {
  const inProgress = state.inProgress;
  const running = lock
    ? { run: lock.run, pid: lock.pid, since: lock.started, round: inProgress?.round ?? state.round + 1 }
    : null;
  const interrupted = !lock && inProgress ? inProgress : undefined;
  let lastStop: ThreadStanding["lastStop"] = state.lastStop ?? null;
  if (interrupted) {
    const at = interrupted.interruptedAt ?? interrupted.started;
    if (!lastStop || Date.parse(lastStop.at) <= Date.parse(at)) {
      lastStop = {
        round: interrupted.round,
        reason: `round ${interrupted.round} was interrupted before it finished (run ${interrupted.run})`,
        at,
        interrupted: true,
      };
    }
  }
  return {
    round: state.round,
    state: running ? "running" : interrupted ? "interrupted" : state.state,
    recordedState: state.state,
    running,
    interruptedRound: interrupted ? interrupted.round : null,
    lastStop,
  };
}
