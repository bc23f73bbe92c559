import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  approve,
  type AuditLog,
  deny,
  discardDraft,
  isId,
  openAuditLog,
  plural,
  safeLoadWorksite,
  UserError,
} from "@worksite/core";
import {
  acceptProposal,
  diffProposal,
  listProposals,
  type MemoryStore,
  openMemory,
  rejectProposal,
} from "@worksite/memory";
import {
  auditRollback,
  changedSince,
  type InboxKind,
  isRollback,
  listCheckpoints,
  liveLock,
  openSession,
  rollbackThread,
  sendMessage,
  withRollbackLock,
} from "@worksite/runtime";
import type { ProposalView } from "./views/memory.js";

/*
 * Every button is the same library call the CLI makes (approve.ts, deny.ts, queue.ts, steer.ts,
 * memory-accept.ts, rollback.ts), as the person at the panel: actor `person:panel`. Approvals are
 * sealed with the person's key by core's approve(), exactly as from the terminal.
 */
export const PANEL_ACTOR = "person:panel";

const audit = (root: string): AuditLog => openAuditLog(join(root, ".worksite", "audit.jsonl"));

export async function approveCall(root: string, id: string): Promise<string> {
  if (!isId(id, "ap")) throw new UserError(`no approval request ${id}`);
  const { approval } = await approve(root, id, { by: PANEL_ACTOR, audit: audit(root) });
  return `Approved ${id}: ${approval.tool}${approval.target !== undefined ? ` ${approval.target}` : ""} runs once, at the next identical call (a run takes it at the start of its next round).`;
}

export async function denyCall(root: string, id: string, reason: string | undefined): Promise<string> {
  if (!isId(id, "ap")) throw new UserError(`no approval request ${id}`);
  const approval = await deny(root, id, { by: PANEL_ACTOR, ...(reason ? { reason } : {}), audit: audit(root) });
  return `Denied ${id}: ${approval.tool}${approval.target !== undefined ? ` ${approval.target}` : ""} will not run.`;
}

/** `worksite approve dr_…`: the draft runs once, here, as the person's call, through the gate. */
export async function runDraft(root: string, id: string): Promise<string> {
  if (!isId(id, "dr")) throw new UserError(`no open draft ${id}`);
  const run = `panel-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}`;
  const session = await openSession({ root, actor: PANEL_ACTOR, run, round: 0 });
  try {
    const outcome = await session.gate.runDraft(id, { by: PANEL_ACTOR });
    if (outcome.status === "ok") return `Ran draft ${id}: ${outcome.tool} succeeded.`;
    throw new UserError(`draft ${id} did not run: ${outcome.message}`);
  } finally {
    await session.dispose();
  }
}

/** `worksite deny dr_…`: discarded, and the audit log says so. */
export async function discardDraftAction(root: string, id: string): Promise<string> {
  const draft = isId(id, "dr") ? await discardDraft(root, id, { by: PANEL_ACTOR, audit: audit(root) }) : undefined;
  if (!draft) throw new UserError(`no open draft ${id}`);
  return `Discarded ${id}: ${draft.summary}`;
}

export async function sendInbox(root: string, kind: InboxKind, text: string): Promise<string> {
  const clean = text.trim();
  if (!clean) throw new UserError(`${kind === "queue" ? "a queued instruction" : "steering"} needs some text`);
  if (clean.length > 10_000) throw new UserError("that message is over 10,000 characters; shorten it");
  const message = await sendMessage(root, kind, clean, PANEL_ACTOR);
  await audit(root).append({
    type: "inbox",
    actor: PANEL_ACTOR,
    outcome: "ok",
    message: `${kind === "queue" ? "queued" : "steering sent"} from the panel: ${clean}`,
    data: { id: message.id, kind },
  });
  const running = await liveLock(root);
  return kind === "queue"
    ? `Queued: it becomes the instruction of the next round${running ? ` (run ${running.run} takes it when a round starts)` : ""}.`
    : `Steering sent${running ? `; run ${running.run} takes it at its next safe point` : "; the next run takes it at the start of its first round"}.`;
}

async function memoryStore(root: string): Promise<MemoryStore> {
  const loaded = await safeLoadWorksite(root);
  const dir = join(root, (loaded.ok ? loaded.value.thread.memory?.path : undefined) ?? "memory");
  return openMemory({ dir, create: existsSync(dir), audit: audit(root) });
}

export async function memoryProposals(root: string): Promise<ProposalView[]> {
  const store = await memoryStore(root);
  const out: ProposalView[] = [];
  for (const p of await listProposals(store))
    out.push({ run: p.run, files: p.files, diff: await diffProposal(store, p.run) });
  return out;
}

export async function acceptMemory(root: string, run: string): Promise<string> {
  const result = await acceptProposal(await memoryStore(root), run);
  return `Accepted the memory proposal of run ${run}: ${plural(result.files.length, "file")} changed on the main line${result.conflicted.length ? `; ${result.conflicted.join(", ")} kept both versions: settle them and set status: active` : ""}.`;
}

export async function rejectMemory(root: string, run: string): Promise<string> {
  await rejectProposal(await memoryStore(root), run);
  return `Rejected the memory proposal of run ${run}; the main line is untouched.`;
}

async function refuseWhileRunning(root: string): Promise<void> {
  const lock = await liveLock(root);
  if (lock && isRollback(lock))
    throw new UserError(`another rollback of this thread is restoring its files now (pid ${lock.pid})`);
  if (lock)
    throw new UserError(
      `run ${lock.run} is working on this thread now; wait for it to stop, or steer it, before rolling back`,
    );
}

/** What a rollback to `round` would restore: the confirmation `worksite rollback N` asks before it acts. */
export async function rollbackPreview(root: string, round: number): Promise<string[]> {
  await refuseWhileRunning(root);
  const rounds = await listCheckpoints(root);
  if (!rounds.includes(round))
    throw new UserError(
      `there is no checkpoint for round ${round}${rounds.length ? ` (checkpoints: ${rounds.join(", ")})` : ""}`,
    );
  return changedSince(root, round);
}

/** `worksite rollback N --yes` after the person confirmed the same list of files. */
/** What the person was shown, as one value a form carries back unchanged (a list in a form field would have its newlines rewritten). */
export function filesDigest(files: readonly string[]): string {
  return createHash("sha256").update(files.join("\0")).digest("hex");
}

export async function rollbackConfirmed(root: string, round: number, confirmed: string): Promise<string> {
  await refuseWhileRunning(root);
  return withRollbackLock(root, async () => {
    const changes = await changedSince(root, round);
    if (filesDigest(changes) !== confirmed)
      throw new UserError("the files changed since you were asked; look at the new list and confirm again");
    if (!changes.length) return `Nothing to do: the files are as they were after round ${round}.`;
    const result = await rollbackThread(root, round, PANEL_ACTOR, { locked: true });
    await auditRollback(root, PANEL_ACTOR, result, round);
    return `Restored ${plural(result.restored.length, "file")} to round ${round}. The next run is round ${result.nextRound}; undo with \`worksite rollback --undo\`.`;
  });
}
