import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { canonicalJson } from "./call-hash.js";
import { onForgetSecretValues, rememberSecretBytes } from "../secrets/known-values.js";

/*
 * A person's decisions (approvals, thread grants) are sealed with a key kept in
 * that person's config folder, outside every worksite: a record written into
 * the person's state folder by some side door carries no valid seal and lets
 * nothing run. Commands run in a sandbox that can neither read the key nor
 * write the state folder. With `sandbox: off`, code the agent wrote and an
 * allowed command ran runs as the same OS user and can read the key: then the
 * seal raises the bar but is not a wall.
 */

/** Env var naming the key file; removed from every command the agent runs. */
export const SEAL_KEY_ENV = "WORKSITE_APPROVAL_KEY_FILE";

export function sealKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[SEAL_KEY_ENV];
  if (named !== undefined) return named;
  // Every audit append asks while no key exists: the joins are made again only when a variable they read changed.
  const config = env.XDG_CONFIG_HOME;
  const home = config === undefined ? homedir() : "";
  if (!lastKeyPath || lastKeyPath.config !== config || lastKeyPath.home !== home)
    lastKeyPath = { config, home, path: join(config ?? join(home, ".config"), "worksite", "approval.key") };
  return lastKeyPath.path;
}
let lastKeyPath: { config: string | undefined; home: string; path: string } | undefined;

/** The key; created (0600, in a 0700 folder) the first time a person approves something. Read once, it is redacted from then on. */
export async function sealKey(options: { create: boolean }): Promise<Buffer | undefined> {
  const path = sealKeyPath();
  try {
    return remembered(Buffer.from((await readFile(path, "utf8")).trim(), "hex"));
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
  return remembered(Buffer.from((await readFile(path, "utf8")).trim(), "hex"));
}

function remembered(key: Buffer): Buffer {
  rememberSecretBytes(key, "worksite-seal-key");
  knownKey = true;
  return key;
}

let knownKey = false;
/** The key path last found missing: an audit append does not stat it again (the gate reads the key, and so remembers it, when a seal is checked). */
let missingAt: string | undefined;
onForgetSecretValues(() => {
  knownKey = false;
  missingAt = undefined;
});

/**
 * Redact the person's seal key from here on, if it exists (issue 11 item 7); never creates it.
 * One look per key path: a key made later by a person's channel is remembered when this process reads it.
 */
export async function rememberSealKey(): Promise<boolean> {
  if (knownKey) return true;
  const path = sealKeyPath();
  if (missingAt === path) return false;
  const key = await sealKey({ create: false });
  if (!key || key.length === 0) {
    missingAt = path;
    return false;
  }
  return true;
}

/**
 * What a seal covers: the whole record as written, status, input, expiry and
 * grant included, so no field can be changed without the key (issue 11 item 3).
 * A record restored byte for byte (a used approval put back) still carries a
 * valid seal: the audit log's record of each consumption is what stops that.
 */
export type SealedFields = { kind: "approval" | "grant"; record: Record<string, unknown> };

export function seal(key: Buffer, fields: SealedFields): string {
  return createHmac("sha256", key).update(canonicalJson(fields)).digest("hex");
}

export function sealHolds(key: Buffer | undefined, fields: SealedFields, value: string | undefined): boolean {
  if (!key || typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) return false;
  return timingSafeEqual(Buffer.from(seal(key, fields), "hex"), Buffer.from(value, "hex"));
}

/** The record without its seal (and without `expired`, which a listing adds). */
function sealed(record: object): Record<string, unknown> {
  const { seal: _seal, expired: _expired, ...rest } = record as Record<string, unknown>;
  return rest;
}

export const approvalSealFields = (record: object): SealedFields => ({ kind: "approval", record: sealed(record) });

export const grantSealFields = (record: object): SealedFields => ({ kind: "grant", record: sealed(record) });

/** The seal grants had before it covered the whole record; read once, when an older worksite's grants move to the state folder. */
export const legacyGrantSealHolds = (
  key: Buffer | undefined,
  g: { id: string; tool: string; target: string; by: string; seal?: string },
): boolean =>
  !!key &&
  typeof g.seal === "string" &&
  /^[0-9a-f]{64}$/.test(g.seal) &&
  timingSafeEqual(
    Buffer.from(
      createHmac("sha256", key)
        .update(canonicalJson({ kind: "grant", id: g.id, tool: g.tool, target: g.target, by: g.by }))
        .digest("hex"),
      "hex",
    ),
    Buffer.from(g.seal, "hex"),
  );
