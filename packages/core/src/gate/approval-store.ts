import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../artifacts/atomic-file.js";
import { worksiteStateDir } from "../boundary/worksite-id.js";
import { UserError } from "../errors.js";
import { isId } from "./call-hash.js";
import { grantSealFields, legacyGrantSealHolds, seal, sealKey } from "./person-seal.js";
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

export const usedDir = (dir: string) => join(dir, "used");
export const grantsOf = (dir: string) => join(dir, "grants");
/** `by-hash/<callHash>` names the pending request for a call: de-duplication without reading every record. */
export const byHash = (dir: string, callHash: string) => join(dir, "by-hash", callHash);

export async function grantsDir(root: string): Promise<string | undefined> {
  const dir = await approvalsDir(root);
  return dir ? grantsOf(dir) : undefined;
}

/** Approvals come from a person's channel; an "agent" or "mcp:…" actor granting one is a bug in the caller. */
export function requirePerson(by: string): void {
  if (!by.startsWith("person:")) throw new UserError(`only a person approves or denies calls (got actor "${by}")`);
}

export async function writeRecord(path: string, record: object): Promise<void> {
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
