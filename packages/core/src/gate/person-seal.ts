import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { canonicalJson } from "./call-hash.js";

/*
 * A person's decisions (approvals, thread grants) are sealed with a key kept in
 * that person's config folder, outside every worksite: a record an agent writes
 * into .worksite/approvals/ by some side door carries no valid seal and lets
 * nothing run. This raises the bar; it is not a wall. Code the agent wrote and
 * an allowed command ran (a test runner) runs as the same OS user and can read
 * the key — run threads that execute their own code under a separate user.
 */

/** Env var naming the key file; removed from every command the agent runs. */
export const SEAL_KEY_ENV = "WORKSITE_APPROVAL_KEY_FILE";

export function sealKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env[SEAL_KEY_ENV] ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "worksite", "approval.key");
}

/** The key; created (0600, in a 0700 folder) the first time a person approves something. */
export async function sealKey(options: { create: boolean }): Promise<Buffer | undefined> {
  const path = sealKeyPath();
  try {
    return Buffer.from((await readFile(path, "utf8")).trim(), "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !options.create) return undefined;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(path, "wx", 0o600);
    await handle.writeFile(`${randomBytes(32).toString("hex")}\n`);
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error; // another process made it first
  }
  return Buffer.from((await readFile(path, "utf8")).trim(), "hex");
}

export type SealedFields =
  | { kind: "approval"; id: string; callHash: string; approvedBy: string; expires: string | null }
  | { kind: "grant"; id: string; tool: string; target: string; by: string };

export function seal(key: Buffer, fields: SealedFields): string {
  return createHmac("sha256", key).update(canonicalJson(fields)).digest("hex");
}

export function sealHolds(key: Buffer | undefined, fields: SealedFields, value: string | undefined): boolean {
  if (!key || typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) return false;
  return timingSafeEqual(Buffer.from(seal(key, fields), "hex"), Buffer.from(value, "hex"));
}

export const approvalSealFields = (r: { id: string; callHash: string; approvedBy?: string; expires?: string }): SealedFields => ({
  kind: "approval",
  id: r.id,
  callHash: r.callHash,
  approvedBy: r.approvedBy ?? "",
  expires: r.expires ?? null,
});

export const grantSealFields = (g: { id: string; tool: string; target: string; by: string }): SealedFields => ({
  kind: "grant",
  id: g.id,
  tool: g.tool,
  target: g.target,
  by: g.by,
});
