import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../artifacts/atomic-file.js";
import { readRecord, readRecords } from "./approvals.js";
import { isId } from "./call-hash.js";
import type { DraftRecord } from "./types.js";
import type { AuditLog } from "../audit/audit-log.js";

/* Drafts: the would-be call is an artifact for people; this record is what `worksite approve <draft-id>` executes. */

export const draftsDir = (root: string) => join(root, ".worksite", "drafts");
const doneDir = (root: string) => join(draftsDir(root), "done");

export async function writeDraftRecord(root: string, record: DraftRecord): Promise<void> {
  await writeFileAtomic(join(draftsDir(root), `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

/** Open drafts first, then executed ones; newest first within each. */
export async function listDrafts(root: string, filter?: { status?: DraftRecord["status"] }): Promise<DraftRecord[]> {
  const open = await readRecords<DraftRecord>(draftsDir(root));
  const done = await readRecords<DraftRecord>(doneDir(root));
  const byTime = (a: DraftRecord, b: DraftRecord) => b.created.localeCompare(a.created);
  return [...open.sort(byTime), ...done.sort(byTime)].filter((d) => !filter?.status || d.status === filter.status);
}

export async function readDraft(root: string, id: string): Promise<DraftRecord | undefined> {
  if (!isId(id, "dr")) return undefined;
  return (
    (await readRecord<DraftRecord>(join(draftsDir(root), `${id}.json`))) ??
    (await readRecord<DraftRecord>(join(doneDir(root), `${id}.json`)))
  );
}

/** Take the draft for execution; the rename makes it happen at most once even across processes. */
export async function claimDraft(root: string, id: string): Promise<boolean> {
  if (!isId(id, "dr")) return false;
  await mkdir(doneDir(root), { recursive: true });
  try {
    await rename(join(draftsDir(root), `${id}.json`), join(doneDir(root), `${id}.json`));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

export async function finishDraft(root: string, record: DraftRecord): Promise<void> {
  await writeFileAtomic(join(doneDir(root), `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

/** A person turned the draft down: it can no longer be executed. */
export async function discardDraft(
  root: string,
  id: string,
  options: { by: string; reason?: string; audit?: AuditLog },
): Promise<DraftRecord | undefined> {
  const record = await readDraft(root, id);
  if (record?.status !== "open" || !(await claimDraft(root, id))) return undefined;
  const discarded: DraftRecord = {
    ...record,
    status: "discarded",
    discardedBy: options.by,
    ...(options.reason ? { reason: options.reason } : {}),
  };
  await finishDraft(root, discarded);
  // Every channel (CLI, panel) records the discard the same way, next to the call it drops.
  await options.audit?.append({
    type: "draft",
    actor: options.by,
    tool: record.tool,
    ...(record.target !== undefined ? { target: record.target } : {}),
    callHash: record.callHash,
    decidedBy: options.by,
    outcome: "refused",
    message: `discarded ${id}${options.reason ? `: ${options.reason}` : ""}`,
    data: { draftId: id },
  });
  return discarded;
}
