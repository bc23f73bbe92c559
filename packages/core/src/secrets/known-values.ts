/**
 * Secret values worksite itself knows, redacted wherever they appear: the
 * person's seal key (issue 11 item 7), which signs approvals. It has no
 * pattern a rule could know, so the scanner looks for its exact value, in hex
 * either case, base64 and base64url.
 */
import { sealKey } from "../gate/person-seal.js";

const values = new Map<string, string>();
let found = false;

/** Redact `value` (and its usual encodings) as `kind` from now on in this process. */
export function rememberSecretBytes(bytes: Buffer, kind: string): void {
  if (bytes.length < 16) return;
  const hex = bytes.toString("hex");
  for (const v of [hex, hex.toUpperCase(), bytes.toString("base64"), bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url")]) values.set(v, kind);
}

/** Forget every remembered value (tests). */
export function forgetSecretValues(): void {
  values.clear();
  found = false;
}

export function knownValueFindings(text: string): { kind: string; start: number; end: number }[] {
  if (values.size === 0) return [];
  const out: { kind: string; start: number; end: number }[] = [];
  for (const [value, kind] of values) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) out.push({ kind, start: at, end: at + value.length });
  }
  return out;
}

/**
 * Read the person's seal key, if there is one, and redact it from then on.
 * Never creates the key. Once found it stays remembered; until then every call
 * looks again (a person may approve something, and so create it, mid-run).
 */
export async function rememberSealKey(): Promise<boolean> {
  if (found) return true;
  const key = await sealKey({ create: false });
  if (!key || key.length === 0) return false;
  rememberSecretBytes(key, "worksite-seal-key");
  found = true;
  return true;
}
