import type { Worksite } from "@worksite/core";
import { listWakeRecords, readWakeState, type WakeOutcome } from "./records.js";

/** What `worksite status` says about wakes: the schedule, the next wake, the last one and how it ended. */
export interface WakeStanding {
  schedule: string | null;
  /** ISO time of the next wake a running `worksite wake` planned; null when none is planned. */
  nextWake: string | null;
  /** Why the thread wakes no more, when it does not. */
  stopped: string | null;
  lastWake: { at: string; outcome: WakeOutcome; summary: string } | null;
  /** Results in `worksite inbox` not yet read. */
  unread: number;
}

export async function wakeStanding(root: string, worksite: Worksite): Promise<WakeStanding> {
  const state = await readWakeState(root);
  const records = await listWakeRecords(root);
  const last = records.at(-1);
  const current = state && state.schedule === worksite.thread.wake ? state : undefined;
  return {
    schedule: worksite.thread.wake ?? null,
    nextWake: current?.nextWake ?? null,
    stopped: current?.stopped ?? null,
    lastWake: last ? { at: last.startedAt, outcome: last.outcome, summary: last.summary } : null,
    unread: records.filter((r) => !r.read && !r.archived).length,
  };
}
