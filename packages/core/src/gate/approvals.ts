import { mkdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../artifacts/atomic-file.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { isId, newId } from "./call-hash.js";
import { approvalSealFields, seal, sealHolds, sealKey } from "./person-seal.js";
import {
  approvalsDir,
  byHash,
  readRecord,
  readRecords,
  requirePerson,
  usedDir,
  writeRecord,
} from "./approval-store.js";
import { writeGrant } from "./grants.js";
import type { ApprovalRecord, GrantRecord } from "./types.js";

// Where the records live (approval-store.ts) and grants (grants.ts), for callers that know this module.
export { approvalsDir, grantsDir, readRecord, readRecords } from "./approval-store.js";
export { findGrant, listGrants, revokeGrant, writeGrant } from "./grants.js";

/** What the gate knows of a call that waits for a person; the record adds id, time and status. */
export type ApprovalRequest = Pick<
  ApprovalRecord,
  "tool" | "input" | "target" | "callHash" | "decision" | "requestedBy" | "run" | "round"
>;

let lastOrder = 0;
/** Strictly increasing within a process, so requests made in the same millisecond keep their order. */
function nextOrder(): number {
  lastOrder = Math.max(lastOrder + 1, Date.now() * 1000);
  return lastOrder;
}

/** The pending request already queued for exactly this call, found in constant time. */
export async function pendingFor(root: string, callHash: string): Promise<ApprovalRecord | undefined> {
  const dir = await approvalsDir(root);
  if (!dir || !/^[0-9a-f]{64}$/.test(callHash)) return undefined;
  const id = (await readFile(byHash(dir, callHash), "utf8").catch(() => "")).trim();
  if (!isId(id, "ap")) return undefined;
  const record = await readRecord<ApprovalRecord>(join(dir, `${id}.json`));
  return record?.status === "pending" && record.callHash === callHash ? record : undefined;
}

/** Queue a request, or return the pending one already queued for this exact call. */
export async function requestApproval(
  root: string,
  request: ApprovalRequest,
  redact: (text: string) => string,
  redactValue: (value: unknown) => unknown = (v) => redactDeep(v, redact),
): Promise<ApprovalRecord> {
  const existing = await pendingFor(root, request.callHash);
  if (existing) return existing;
  const dir = (await approvalsDir(root, { create: true }))!;
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
    order: nextOrder(),
    status: "pending",
  };
  await writeRecord(join(dir, `${record.id}.json`), record);
  await writeFileAtomic(byHash(dir, record.callHash), `${record.id}\n`);
  return record;
}

export async function readApproval(root: string, id: string): Promise<ApprovalRecord | undefined> {
  const dir = await approvalsDir(root);
  if (!dir || !isId(id, "ap")) return undefined;
  for (const where of [dir, usedDir(dir)]) {
    const record = await readRecord<ApprovalRecord>(join(where, `${id}.json`));
    if (record) return record;
  }
  return undefined;
}

/** Every approval, in the order requested (oldest first); `expired` marks approved ones past their time. */
export async function listApprovals(
  root: string,
  filter?: { status?: ApprovalRecord["status"]; run?: string },
): Promise<(ApprovalRecord & { expired?: boolean })[]> {
  const dir = await approvalsDir(root);
  if (!dir) return [];
  const now = Date.now();
  const all = [...(await readRecords(dir)), ...(filter?.status === "pending" ? [] : await readRecords(usedDir(dir)))]
    .map((r) => (r.status === "approved" && isExpired(r, now) ? { ...r, expired: true } : r))
    .filter((r) => (!filter?.status || r.status === filter.status) && (!filter?.run || r.run === filter.run));
  return all.sort((a, b) => orderOf(a) - orderOf(b));
}

function orderOf(r: ApprovalRecord): number {
  return typeof r.order === "number" ? r.order : Date.parse(r.created) * 1000;
}

export interface ApproveOptions {
  /** "person:<name>". */
  by: string;
  expiresInMs?: number;
  /** Also write a visible, revocable grant for this tool and exact target. */
  forThread?: boolean;
  audit?: AuditLog;
}

export async function approve(
  root: string,
  id: string,
  options: ApproveOptions,
): Promise<{ approval: ApprovalRecord; grant?: GrantRecord }> {
  requirePerson(options.by);
  const { dir, record } = await pendingRecord(root, id);
  let grant: GrantRecord | undefined;
  if (options.forThread) {
    if (record.target === undefined)
      throw new UserError(`${id} has no target, so it cannot be granted for the thread`, {
        hint: `approve it once: worksite approve ${id}`,
      });
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
  const approval: ApprovalRecord = {
    ...approved,
    seal: seal((await sealKey({ create: true }))!, approvalSealFields(approved)),
  };
  await writeRecord(join(dir, `${id}.json`), approval);
  await auditDecision(
    options.audit,
    record,
    options.by,
    "ok",
    `approved ${id}${grant ? ` and granted ${record.tool} on this target for the thread (${grant.id})` : ""}`,
    {
      approval: id,
      ...(grant ? { grant: grant.id } : {}),
      ...(approval.expires ? { expires: approval.expires } : {}),
    },
  );
  return grant ? { approval, grant } : { approval };
}

export async function deny(
  root: string,
  id: string,
  options: { by: string; reason?: string; audit?: AuditLog },
): Promise<ApprovalRecord> {
  requirePerson(options.by);
  const { dir, record } = await pendingRecord(root, id);
  const denied: ApprovalRecord = {
    ...record,
    status: "denied",
    deniedBy: options.by,
    deniedAt: new Date().toISOString(),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  await writeRecord(join(dir, `${id}.json`), denied);
  await auditDecision(
    options.audit,
    record,
    options.by,
    "refused",
    `denied ${id}${options.reason ? `: ${options.reason}` : ""}`,
    { approval: id },
  );
  return denied;
}

/** Deny every pending request a run filed (`worksite deny --run RUN`), oldest first. */
export async function denyRun(
  root: string,
  run: string,
  options: { by: string; reason?: string; audit?: AuditLog },
): Promise<ApprovalRecord[]> {
  requirePerson(options.by);
  const denied: ApprovalRecord[] = [];
  for (const record of await listApprovals(root, { status: "pending", run })) {
    try {
      denied.push(await deny(root, record.id, options));
    } catch (error) {
      if (!UserError.isInstance(error)) throw error; // decided meanwhile by someone else: not ours to deny
    }
  }
  return denied;
}

export interface ConsumeOptions {
  /** Only this approval (a `--wait` call that filed it). */
  onlyId?: string;
  /** True when the audit log already records this approval's use: a replayed record is passed over, whatever its file says. */
  spent?: (id: string) => Promise<boolean>;
  /** Called for each approval passed over because it was already used. */
  onReplay?: (record: ApprovalRecord) => Promise<void>;
}

/**
 * Use an approved, sealed, unexpired approval for exactly this call, once. The
 * rename into used/ is the atomic step: of two racing callers only one
 * succeeds. A record already used (by the audit log) is moved aside too, and
 * never honoured.
 */
export async function consumeApproval(
  root: string,
  callHash: string,
  options: ConsumeOptions = {},
): Promise<ApprovalRecord | undefined> {
  const dir = await approvalsDir(root);
  if (!dir) return undefined;
  const now = Date.now();
  const key = await sealKey({ create: false });
  const candidates = (await readRecords(dir)).filter(
    (r) =>
      r.status === "approved" &&
      r.callHash === callHash &&
      !isExpired(r, now) &&
      (options.onlyId === undefined || r.id === options.onlyId) &&
      isSealed(key, r),
  );
  for (const record of candidates) {
    const from = join(dir, `${record.id}.json`);
    const to = join(usedDir(dir), `${record.id}.json`);
    await mkdir(usedDir(dir), { recursive: true, mode: 0o700 });
    try {
      await rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // another caller used it first
      throw error;
    }
    // Re-read what we moved: it is the state at the moment of the rename.
    const moved = (await readRecord<ApprovalRecord>(to)) ?? record;
    if (moved.status !== "approved" || moved.callHash !== callHash || !isSealed(key, moved)) continue;
    if (await options.spent?.(moved.id)) {
      await options.onReplay?.(moved);
      continue;
    }
    const consumed: ApprovalRecord = { ...moved, status: "consumed", consumedAt: new Date().toISOString() };
    await writeRecord(to, consumed);
    return consumed;
  }
  return undefined;
}

/** A person's approve or deny, in the audit log next to the call it decides. */
async function auditDecision(
  audit: AuditLog | undefined,
  record: ApprovalRecord,
  by: string,
  outcome: "ok" | "refused",
  message: string,
  data: Record<string, unknown>,
): Promise<void> {
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

async function pendingRecord(root: string, id: string): Promise<{ dir: string; record: ApprovalRecord }> {
  const dir = await approvalsDir(root);
  const record = dir ? await readApproval(root, id) : undefined;
  if (!dir || !record) throw new UserError(`no approval request ${id}`, { hint: "list them with: worksite approvals" });
  if (record.status !== "pending")
    throw new UserError(`${id} is already ${record.status}`, { hint: "a new call makes a new request" });
  return { dir, record };
}

/** Approved by a person's channel on this machine: the seal holds for exactly this record, every field included. */
export function isSealed(key: Buffer | undefined, record: ApprovalRecord): boolean {
  return sealHolds(key, approvalSealFields(record), record.seal);
}

function isExpired(record: ApprovalRecord, now: number): boolean {
  return record.expires !== undefined && Date.parse(record.expires) <= now;
}
