import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../artifacts/atomic-file.js";
import { worksiteStateDir } from "../boundary/worksite-id.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { isId, newId } from "./call-hash.js";
import { approvalSealFields, grantSealFields, legacyGrantSealHolds, seal, sealHolds, sealKey } from "./person-seal.js";
import type { ApprovalRecord, GrantRecord } from "./types.js";

/*
 * Approvals are plain JSON files in the person's state folder, per worksite id
 * (`<state>/worksites/<id>/approvals/`, see boundary/worksite-id.ts): outside
 * the worksite, so no agent tool can reach them (the floor) and no command can
 * (the sandbox neither reads nor writes the state folder). A person's channel
 * in any process (CLI, panel, MCP elicitation) grants them and a waiting gate
 * sees it. The gate re-derives the call hash from the real call, so a record
 * for another call lets nothing else run; an approval or grant counts only with
 * the person's seal over the whole record (person-seal.ts); and the gate writes
 * each consumption to the audit log and never honours a consumed one again.
 */

/** Where this worksite's approvals live; undefined when it has none yet and `create` is false. */
export async function approvalsDir(
  root: string,
  options: { create: boolean } = { create: false },
): Promise<string | undefined> {
  // An older worksite's requests are moved out at the first look, so `worksite approvals` shows them.
  if (!options.create && existsSync(join(root, ".worksite", "approvals"))) options = { create: true };
  const state = worksiteStateDir(root, options);
  if (!state) return undefined;
  const dir = join(state, "approvals");
  // Only when the folder is first made: a `.worksite/approvals/` that appears later is nobody's request.
  if (options.create && (await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined)
    await migrateLegacy(root, dir);
  return dir;
}

const usedDir = (dir: string) => join(dir, "used");
const grantsOf = (dir: string) => join(dir, "grants");
/** `by-hash/<callHash>` names the pending request for a call: de-duplication without reading every record. */
const byHash = (dir: string, callHash: string) => join(dir, "by-hash", callHash);

export async function grantsDir(root: string): Promise<string | undefined> {
  const dir = await approvalsDir(root);
  return dir ? grantsOf(dir) : undefined;
}

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

export async function writeGrant(
  root: string,
  grant: Omit<GrantRecord, "id" | "created" | "seal">,
): Promise<GrantRecord> {
  requirePerson(grant.by);
  const dir = (await approvalsDir(root, { create: true }))!;
  const unsealed = { id: newId("gr"), created: new Date().toISOString(), ...grant };
  const record: GrantRecord = {
    ...unsealed,
    seal: seal((await sealKey({ create: true }))!, grantSealFields(unsealed)),
  };
  await writeRecord(join(grantsOf(dir), `${record.id}.json`), record);
  return record;
}

export async function listGrants(root: string): Promise<GrantRecord[]> {
  const dir = await approvalsDir(root);
  if (!dir) return [];
  const grants = await readRecords<GrantRecord>(grantsOf(dir));
  return grants.sort((a, b) => b.created.localeCompare(a.created));
}

export async function findGrant(
  root: string,
  tool: string,
  target: string | undefined,
): Promise<GrantRecord | undefined> {
  if (target === undefined) return undefined;
  const key = await sealKey({ create: false });
  return (await listGrants(root)).find(
    (g) => g.tool === tool && g.target === target && sealHolds(key, grantSealFields(g), g.seal),
  );
}

export async function revokeGrant(
  root: string,
  id: string,
  options: { by: string; audit?: AuditLog },
): Promise<GrantRecord> {
  const dir = await approvalsDir(root);
  const grant = dir && isId(id, "gr") ? await readRecord<GrantRecord>(join(grantsOf(dir), `${id}.json`)) : undefined;
  if (!dir || !grant) throw new UserError(`no grant ${id}`, { hint: "list them with: worksite approvals" });
  await rm(join(grantsOf(dir), `${id}.json`));
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

/** Approvals come from a person's channel; an "agent" or "mcp:…" actor granting one is a bug in the caller. */
function requirePerson(by: string): void {
  if (!by.startsWith("person:")) throw new UserError(`only a person approves or denies calls (got actor "${by}")`);
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
  const records = await Promise.all(
    names.filter((n) => n.endsWith(".json") && isId(n.slice(0, -5))).map((n) => readRecord<T>(join(dir, n))),
  );
  return records.filter((r): r is Awaited<T> => r !== undefined) as T[];
}

/**
 * A worksite from before approvals moved out: `.worksite/approvals/` is read
 * once. Requests still waiting (pending, or approved but unused, whose old seal
 * did not cover their status) come over as pending, for a person to decide
 * again; grants whose old seal holds are sealed anew. The old folder is renamed
 * `.worksite/approvals.moved/` with a note; nothing in it counts any more.
 */
async function migrateLegacy(root: string, dir: string): Promise<void> {
  const legacy = join(root, ".worksite", "approvals");
  if (!existsSync(legacy)) return;
  const moved = join(root, ".worksite", "approvals.moved");
  try {
    await rename(legacy, moved);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTEMPTY" || code === "EEXIST") return; // another process moved it first
    throw error;
  }
  let requests = 0;
  for (const r of await readRecords<ApprovalRecord>(moved)) {
    if (r.status !== "pending" && r.status !== "approved") continue;
    const { seal: _s, approvedBy: _b, approvedAt: _a, expires: _e, grant: _g, ...rest } = r;
    await writeRecord(join(dir, `${r.id}.json`), { ...rest, status: "pending" });
    requests++;
  }
  const key = await sealKey({ create: false });
  let grants = 0;
  for (const g of await readRecords<GrantRecord>(grantsOf(moved))) {
    if (!legacyGrantSealHolds(key, g)) continue;
    const { seal: _s, ...unsealed } = g;
    await writeRecord(join(grantsOf(dir), `${g.id}.json`), {
      ...unsealed,
      seal: seal(key!, grantSealFields(unsealed)),
    });
    grants++;
  }
  const handle = await open(join(moved, "MOVED.txt"), "w");
  await handle.writeFile(
    `Approvals now live in the person's state folder, outside the worksite:\n  ${dir}\n` +
      `${requests} waiting request(s) moved there as pending (approve them again with \`worksite approvals\`), and ${grants} grant(s).\n` +
      "Nothing in this folder counts any more; delete it when you no longer need it.\n",
  );
  await handle.close();
}
