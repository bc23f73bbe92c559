import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import { join } from "node:path";
import { personStateDir, SIZE_LIMITS, sealKey, secretRules } from "@worksite/core";

/*
 * The parse cache's seal (parse-cache.ts): each file is an HMAC line, a header, then its lines; the
 * key sits in the person's state folder, and the basis names what the summaries were made under.
 */
const KEY_FILE = "memory-cache.key";

/** The lines after the header of a sealed file, or none when it is missing, altered or of another version or basis. */
export function readSealed(path: string, key: Buffer, accept: (header: string) => boolean): string[] {
  const sealed = readSealedBytes(path, key, accept);
  return sealed && sealed.from < sealed.bytes.length ? sealed.bytes.toString("utf8", sealed.from).split("\n") : [];
}

/** The file's bytes and where the lines after its header start, or undefined when it is missing, altered or of another version or basis. */
export function readSealedBytes(
  path: string,
  key: Buffer,
  accept: (header: string) => boolean,
): { bytes: Buffer; from: number } | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(path);
  } catch {
    return undefined;
  }
  // The seal is checked on the bytes (hashing a string would encode all of it again).
  if (raw.length < 65 || raw[64] !== 0x0a) return undefined;
  const got = Buffer.from(raw.toString("latin1", 0, 64), "hex");
  if (got.length !== 32 || !timingSafeEqual(got, Buffer.from(mac(key, raw.subarray(65)), "hex"))) return undefined;
  const eol = raw.indexOf(0x0a, 65);
  const end = eol < 0 ? raw.length : eol;
  return accept(raw.toString("utf8", 65, end)) ? { bytes: raw, from: end + 1 } : undefined;
}

export async function writeSealedAsync(path: string, key: Buffer, text: string): Promise<void> {
  const bytes = Buffer.from(text, "utf8");
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await fs.promises.writeFile(tmp, Buffer.concat([Buffer.from(`${mac(key, bytes)}\n`), bytes]), { mode: 0o600 });
  await fs.promises.rename(tmp, path);
}

export function writeSealed(path: string, key: Buffer, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${mac(key, bytes)}\n`), bytes]), { mode: 0o600 });
  fs.renameSync(tmp, path);
}

function mac(key: Buffer, text: Buffer): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** The person's cache key (0600 in the 0700 state folder), made on first use; undefined when it cannot be. */
export function macKey(): Buffer | undefined {
  const dir = personStateDir();
  const path = join(dir, KEY_FILE);
  try {
    return Buffer.from(fs.readFileSync(path, "utf8").trim(), "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
  }
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  try {
    const key = Buffer.from(fs.readFileSync(path, "utf8").trim(), "hex");
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Reading the seal key also makes the scanner look for it, so every scan under one basis looks for the same value. */
export async function cacheBasis(): Promise<string> {
  const seal = await sealKey({ create: false }).catch(() => undefined);
  const sealId = seal?.length ? createHash("sha256").update(seal).digest("hex").slice(0, 16) : "none";
  return `limit=${SIZE_LIMITS.memoryEntry};seal=${sealId};rules=${rulesId()}`;
}

/*
 * The scanner's rules (kinds, keywords, patterns, checks), so a summary made before a rule was added or
 * changed is not reused: an entry holding a token only the new rule finds must not stay "clean" until
 * the file changes. (A change to the scanner's code outside its rules needs VERSION bumped.)
 */
function rulesId(): string {
  return createHash("sha256")
    .update(
      JSON.stringify(
        secretRules.map((r) => [
          r.kind,
          r.keywords ?? [],
          r.pattern.source,
          r.pattern.flags,
          r.check?.toString() ?? "",
        ]),
      ),
    )
    .digest("hex")
    .slice(0, 16);
}

export function slug(prefix: string): string {
  return createHash("sha256").update(prefix).digest("hex").slice(0, 12);
}
