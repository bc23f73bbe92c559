import { BEFORE_ROLLBACK, listCheckpoints, resolveRef, rollbackTo, type Skipped, undoRollback } from "./checkpoint.js";
import { ROLLBACK_HOLDER, withThreadLock } from "./lock.js";
import { reportedRounds } from "./report.js";
import { readState, writeState } from "./state.js";
import { openSession } from "./session.js";

export interface RollbackResult {
  /** Files put back. */
  restored: string[];
  /** What it could not put back (never checkpointed, or not writable now): left as it was. */
  notRestored: Skipped[];
  /** The commit holding the files as they were before; `worksite rollback --undo` restores it. */
  safety: string;
  /** The number the next round gets: after every round already reported, so PROGRESS.md keeps its history. */
  nextRound: number;
}

/**
 * Roll the thread back to round N: the files, and state.json with them. The thread is active again,
 * its last stop says who rolled back to where, and the next round works from round N's files under
 * a new number (round numbers are never reused, so no report is overwritten).
 */
export async function rollbackThread(
  root: string,
  round: number,
  by: string,
  options: LockedOptions = {},
): Promise<RollbackResult> {
  return underLock(root, options, async () => {
    const { restored, notRestored, safety, target } = await rollbackTo(root, round);
    const reason = `rolled back to round ${round} by ${by}`;
    return { restored, notRestored, safety, nextRound: await recordInState(root, { round, commit: target, reason }) };
  });
}

/** Undo the last rollback: the files as they were before it; the next round works from them. */
export async function undoThreadRollback(
  root: string,
  by: string,
  options: LockedOptions = {},
): Promise<RollbackResult> {
  return underLock(root, options, async () => {
    const { restored, notRestored, safety, target } = await undoRollback(root);
    const reason = `undid the last rollback (files as they were before it) by ${by}`;
    return { restored, notRestored, safety, nextRound: await recordInState(root, { commit: target, reason }) };
  });
}

/**
 * The rollback (or its undo) in the audit log as the person's decision, whichever channel made it
 * (`worksite rollback`, the panel): what was restored, what was not, and where the files before it are kept.
 */
export async function auditRollback(root: string, by: string, result: RollbackResult, round?: number): Promise<void> {
  const files = `${result.restored.length} ${result.restored.length === 1 ? "file" : "files"} restored`;
  const session = await openSession({ root, actor: by, threadPlugins: false });
  try {
    await session.audit.append({
      type: "run",
      actor: by,
      message: round === undefined ? `undid the last rollback: ${files}` : `rolled back to round ${round}: ${files}`,
      data: {
        ...(round === undefined ? {} : { round }),
        files: result.restored,
        ...(result.notRestored.length ? { notRestored: result.notRestored } : {}),
        before: result.safety,
        nextRound: result.nextRound,
      },
    });
  } finally {
    await session.dispose();
  }
}

export interface LockedOptions {
  /** The caller already holds the thread's lock (a CLI that keeps it from its preview to the end). */
  locked?: boolean;
}

/** A rollback holds the thread's lock: a run started meanwhile is refused with words, not broken by git's index.lock. */
function underLock<T>(root: string, options: LockedOptions, fn: () => Promise<T>): Promise<T> {
  return options.locked ? fn() : withThreadLock(root, ROLLBACK_HOLDER, fn);
}

/** Runs `fn` holding the thread's lock as a rollback (for a caller that previews, asks, then rolls back with `locked`). */
export function withRollbackLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  return withThreadLock(root, ROLLBACK_HOLDER, fn);
}

export async function canUndoRollback(root: string): Promise<boolean> {
  return (await resolveRef(root, BEFORE_ROLLBACK)) !== undefined;
}

async function recordInState(root: string, from: { round?: number; commit: string; reason: string }): Promise<number> {
  const state = await readState(root);
  const highest = [...(await listCheckpoints(root)), ...(await reportedRounds(root))].reduce(
    (a, b) => Math.max(a, b),
    state.round,
  );
  const at = new Date().toISOString();
  const next = {
    ...state,
    round: highest,
    state: "active" as const,
    lastStop: { round: from.round ?? highest, reason: from.reason, at },
    continuesFrom: { ...from, at },
  };
  // A round interrupted before the rollback worked on files that are gone now: it is not redone.
  delete next.inProgress;
  await writeState(root, next);
  return highest + 1;
}
