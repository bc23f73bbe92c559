import { basename } from "node:path";
import {
  type ApprovalRecord,
  type DraftRecord,
  type GrantRecord,
  listApprovals,
  listDrafts,
  listGrants,
  safeLoadWorksite,
  type Worksite,
} from "@worksite/core";
import {
  type InboxMessage,
  liveLock,
  pendingMessages,
  readState,
  type ThreadStanding,
  threadStanding,
} from "@worksite/runtime";

/** A worksite the panel shows; `index` is its place in the URL (`/t/0`). */
export interface PanelThread {
  index: number;
  root: string;
  name: string;
}

/**
 * When the thread wakes next, in words. The scheduler (`worksite wake`) may know better than THREAD.md:
 * a host passes its own reader here (PanelOptions.nextWake) and the panel shows what it returns.
 */
export type NextWake = (root: string, worksite: Worksite | undefined) => Promise<string | undefined>;

export const nextWakeFromThread: NextWake = async (root, worksite) => {
  // The scheduler writes its next wake into state.json; without one, THREAD.md's schedule in words.
  const scheduled = (await readState(root).catch(() => undefined))?.nextWake;
  if (scheduled) return `${scheduled} (scheduled)`;
  return worksite?.thread.wake
    ? `every ${worksite.thread.wake} (THREAD.md), when a scheduler or \`worksite run\` starts it`
    : "only when someone runs `worksite run`";
};

export interface ThreadView {
  thread: PanelThread;
  worksite?: Worksite;
  problem?: string;
  standing: ThreadStanding;
  approvals: ApprovalRecord[];
  drafts: DraftRecord[];
  grants: GrantRecord[];
  steering: InboxMessage[];
  queued: InboxMessage[];
  nextWake?: string;
}

export function panelThreads(roots: readonly string[]): PanelThread[] {
  return roots.map((root, index) => ({ index, root, name: basename(root) }));
}

export async function threadView(thread: PanelThread, nextWake: NextWake = nextWakeFromThread): Promise<ThreadView> {
  const { root } = thread;
  const loaded = await safeLoadWorksite(root);
  const worksite = loaded.ok ? loaded.value : undefined;
  const problem = loaded.ok
    ? undefined
    : loaded.diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.file}:${d.line}: ${d.message}`)
        .join("\n");
  const [state, lock, approvals, drafts, grants, steering, queued] = await Promise.all([
    readState(root),
    liveLock(root),
    listApprovals(root, { status: "pending" }),
    listDrafts(root, { status: "open" }),
    listGrants(root),
    pendingMessages(root, "steer"),
    pendingMessages(root, "queue"),
  ]);
  const wake = await nextWake(root, worksite);
  return {
    thread,
    ...(worksite ? { worksite } : {}),
    ...(problem ? { problem } : {}),
    standing: threadStanding(state, lock),
    approvals,
    drafts,
    grants,
    steering,
    queued,
    ...(wake ? { nextWake: wake } : {}),
  };
}
