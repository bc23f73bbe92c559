import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../artifacts/atomic-file.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { isId, newId } from "./call-hash.js";
import { approvalSealFields, grantSealFields, seal, sealHolds, sealKey } from "./person-seal.js";
import type { ApprovalRecord, GrantRecord } from "./types.js";

/*
 * Approvals are plain JSON files under .worksite/approvals/, so a person's
 * channel in any process (CLI, panel) can grant them and a waiting gate sees
 * it. Only a person's channel writes here: the agent-facing tools refuse
 * `.worksite/`, the gate re-derives the call hash from the real call, so a
 * record for another call lets nothing else run, and an approval or grant
 * counts only with the person's seal (person-seal.ts).
 */

export const approvalsDir = (root: string) => join(root, ".worksite", "approvals");
const usedDir = (root: string) => join(approvalsDir(root), "used");
export const grantsDir = (root: string) => join(approvalsDir(root), "grants");

/** What the gate knows of a call that waits for a person; the record adds id, time and status. */
export type ApprovalRequest = Pick<ApprovalRecord, "tool" | "input" | "target" | "callHash" | "decision" | "requestedBy" | "run" | "round">;

/** Queue a request, or return the pending one already queued for this exact call. */
export async function requestApproval(
  root: string,
  request: ApprovalRequest,
  redact: (text: string) => string,
  redactValue: (value: unknown) => unknown = (v) => redactDeep(v, redact),
): Promise<ApprovalRecord> {
  const existing = (await readRecords(approvalsDir(root))).find((r) => r.status === "pending" && r.callHash === request.callHash);
  if (existing) return existing;
  const record: ApprovalRecord = {
    id: newId("ap"),
    tool: request.tool,
    input: redactValue(request.input),
    ...(request.target !== undefined ? { target: redact(request.target) } : {}),
    callHash: request.callHash,
    // The reason quotes the call ("`mysql -p…`: no rule matches"), so it is redacted like the target.
    decision: { ...request.decision, reason: redact(request.decision.reason) },
    requestedBy: request.requestedBy,
    ...(request.run !== undefined ? { run: request.run } : {}),
    ...(request.round !== undefined ? { round: request.round } : {}),
    created: new Date().toISOString(),
    status: "pending",
  };
  await writeRecord(join(approvalsDir(root), `${record.id}.json`), record);
  return record;
}

export async function readApproval(root: string, id: string): Promise<ApprovalRecord | undefined> {
  if (!isId(id, "ap")) return undefined;
  for (const dir of [approvalsDir(root), usedDir(root)]) {
    const record = await readRecord<ApprovalRecord>(join(dir, `${id}.json`));
    if (record) return record;
  }
  return undefined;
}

/** Every approval, newest first; `expired` marks approved ones past their time. */
export async function listApprovals(root: string, filter?: { status?: ApprovalRecord["status"] }): Promise<(ApprovalRecord & { expired?: boolean })[]> {
  const now = Date.now();
  const all = [...(await readRecords(approvalsDir(root))), ...(await readRecords(usedDir(root)))]
    .map((r) => (r.status === "approved" && isExpired(r, now) ? { ...r, expired: true } : r))
    .filter((r) => !filter?.status || r.status === filter.status);
  return all.sort((a, b) => b.created.localeCompare(a.created));
}

export interface ApproveOptions {
  /** "person:<name>". */
  by: string;
  expiresInMs?: number;
  /** Also write a visible, revocable grant for this tool and exact target. */
  forThread?: boolean;
  audit?: AuditLog;
}

export async function approve(root: string, id: string, options: ApproveOptions): Promise<{ approval: ApprovalRecord; grant?: GrantRecord }> {
  requirePerson(options.by);
  const record = await pendingRecord(root, id);
  let grant: GrantRecord | undefined;
  if (options.forThread) {
    if (record.target === undefined) throw new UserError(`${id} has no target, so it cannot be granted for the thread`, { hint: `approve it once: worksite approve ${id}` });
    grant = await writeGrant(root, { tool: record.tool, target: record.target, by: options.by, fromApproval: id });
  }
  const approved: ApprovalRecord = {
    ...record,
    status: "approved",
    approvedBy: options.by,
    approvedAt: new Date().toISOString(),
    ...(options.expiresInMs ? { expires: new Date(Date.now() + options.expiresInMs).toISOString() } : {}),
    ...(grant ? { grant: grant.id } : {}),
  };
  const approval: ApprovalRecord = { ...approved, seal: seal((await sealKey({ create: true }))!, approvalSealFields(approved)) };
  await writeRecord(join(approvalsDir(root), `${id}.json`), approval);
  await auditDecision(options.audit, record, options.by, "ok", `approved ${id}${grant ? ` and granted ${record.tool} on this target for the thread (${grant.id})` : ""}`, {
    approval: id,
    ...(grant ? { grant: grant.id } : {}),
    ...(approval.expires ? { expires: approval.expires } : {}),
  });
  return grant ? { approval, grant } : { approval };
}

export async function deny(root: string, id: string, options: { by: string; reason?: string; audit?: AuditLog }): Promise<ApprovalRecord> {
  requirePerson(options.by);
  const record = await pendingRecord(root, id);
  const denied: ApprovalRecord = {
    ...record,
    status: "denied",
    deniedBy: options.by,
    deniedAt: new Date().toISOString(),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  await writeRecord(join(approvalsDir(root), `${id}.json`), denied);
  await auditDecision(options.audit, record, options.by, "refused", `denied ${id}${options.reason ? `: ${options.reason}` : ""}`, { approval: id });
  return denied;
}

/**
 * Use an approved, unexpired approval for exactly this call, once. The rename
 * into used/ is the atomic step: of two racing callers only one succeeds.
 */
export async function consumeApproval(root: string, callHash: string, onlyId?: string): Promise<ApprovalRecord | undefined> {
  const now = Date.now();
  const key = await sealKey({ create: false });
  const candidates = (await readRecords(approvalsDir(root))).filter(
    (r) => r.status === "approved" && r.callHash === callHash && !isExpired(r, now) && (onlyId === undefined || r.id === onlyId) && isSealed(key, r),
  );
  for (const record of candidates) {
    const from = join(approvalsDir(root), `${record.id}.json`);
    const to = join(usedDir(root), `${record.id}.json`);
    await mkdir(usedDir(root), { recursive: true });
    try {
      await rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // another caller used it first
      throw error;
    }
    // Re-read what we moved: it is the state at the moment of the rename.
    const moved = (await readRecord<ApprovalRecord>(to)) ?? record;
    if (moved.status !== "approved" || moved.callHash !== callHash || !isSealed(key, moved)) continue;
    const consumed: ApprovalRecord = { ...moved, status: "consumed", consumedAt: new Date().toISOString() };
    await writeRecord(to, consumed);
    return consumed;
  }
  return undefined;
}

export async function writeGrant(root: string, grant: Omit<GrantRecord, "id" | "created" | "seal">): Promise<GrantRecord> {
  requirePerson(grant.by);
  const unsealed = { id: newId("gr"), created: new Date().toISOString(), ...grant };
  const record: GrantRecord = { ...unsealed, seal: seal((await sealKey({ create: true }))!, grantSealFields(unsealed)) };
  await writeRecord(join(grantsDir(root), `${record.id}.json`), record);
  return record;
}

export async function listGrants(root: string): Promise<GrantRecord[]> {
  const grants = await readRecords<GrantRecord>(grantsDir(root));
  return grants.sort((a, b) => b.created.localeCompare(a.created));
}

export async function findGrant(root: string, tool: string, target: string | undefined): Promise<GrantRecord | undefined> {
  if (target === undefined) return undefined;
  const key = await sealKey({ create: false });
  return (await listGrants(root)).find((g) => g.tool === tool && g.target === target && sealHolds(key, grantSealFields(g), g.seal));
}

export async function revokeGrant(root: string, id: string, options: { by: string; audit?: AuditLog }): Promise<GrantRecord> {
  const grant = isId(id, "gr") ? await readRecord<GrantRecord>(join(grantsDir(root), `${id}.json`)) : undefined;
  if (!grant) throw new UserError(`no grant ${id}`, { hint: "list them with: worksite approvals" });
  await rm(join(grantsDir(root), `${id}.json`));
  await options.audit?.append({
    type: "approval",
    actor: options.by,
    tool: grant.tool,
    target: grant.target,
    decidedBy: options.by,
    outcome: "ok",
    message: `revoked grant ${id}`,
    data: { grant: id },
  });
  return grant;
}

/** A person's approve or deny, in the audit log next to the call it decides. */
async function auditDecision(audit: AuditLog | undefined, record: ApprovalRecord, by: string, outcome: "ok" | "refused", message: string, data: Record<string, unknown>): Promise<void> {
  await audit?.append({
    type: "approval",
    actor: by,
    tool: record.tool,
    ...(record.target !== undefined ? { target: record.target } : {}),
    callHash: record.callHash,
    decidedBy: by,
    outcome,
    message,
    data,
  });
}

/** Approvals come from a person's channel; an "agent" or "mcp:…" actor granting one is a bug in the caller. */
function requirePerson(by: string): void {
  if (!by.startsWith("person:")) throw new UserError(`only a person approves or denies calls (got actor "${by}")`);
}

async function pendingRecord(root: string, id: string): Promise<ApprovalRecord> {
  const record = await readApproval(root, id);
  if (!record) throw new UserError(`no approval request ${id}`, { hint: "list them with: worksite approvals" });
  if (record.status !== "pending") throw new UserError(`${id} is already ${record.status}`, { hint: "a new call makes a new request" });
  return record;
}

/** Approved by a person's channel on this machine: the seal holds for exactly this call, approver and expiry. */
export function isSealed(key: Buffer | undefined, record: ApprovalRecord): boolean {
  return sealHolds(key, approvalSealFields(record), record.seal);
}

function isExpired(record: ApprovalRecord, now: number): boolean {
  return record.expires !== undefined && Date.parse(record.expires) <= now;
}

async function writeRecord(path: string, record: object): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRecord<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A half-written or hand-mangled file is not an approval.
    if (code === "ENOENT" || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function readRecords<T = ApprovalRecord>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records = await Promise.all(names.filter((n) => n.endsWith(".json") && isId(n.slice(0, -5))).map((n) => readRecord<T>(join(dir, n))));
  return records.filter((r): r is Awaited<T> => r !== undefined) as T[];
}
