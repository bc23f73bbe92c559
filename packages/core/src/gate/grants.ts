import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log.js";
import { UserError } from "../errors.js";
import { approvalsDir, grantsOf, readRecord, readRecords, requirePerson, writeRecord } from "./approval-store.js";
import { isId, newId } from "./call-hash.js";
import { grantSealFields, seal, sealHolds, sealKey } from "./person-seal.js";
import type { GrantRecord } from "./types.js";

/** Grants: a person's standing yes to one tool on one target for this thread, sealed like an approval. */

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
