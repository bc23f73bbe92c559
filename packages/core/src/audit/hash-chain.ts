import { hash } from "node:crypto";
import type { AuditEntry } from "./types.js";

/** `prev` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * JSON with object keys sorted at every depth, no whitespace; `undefined`,
 * functions and symbols dropped as JSON.stringify drops them. Parsing it and
 * serialising again gives the same bytes, which is what makes a line
 * checkable byte for byte.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return sortKeys(json.call(value));
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

// The one-shot form (Node 20.12+) is about a third of createHash's cost for a line, paid on every append.
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

/** The hash an entry must carry: sha256 of its canonical JSON without `hash` (so it covers `prev`, chaining it). */
export function entryHash(entry: Omit<AuditEntry, "hash"> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256(canonicalJson(rest));
}

/**
 * An entry's hash and its line from one serialisation: the members that sort before `hash` and those after
 * it are each copied sorted and serialised once, and joined twice, without and with `hash`, instead of
 * serialising the whole entry for the hash and again for the line (issue 13 item 1). Same bytes as
 * entryHash and entryLine (hash-chain.test.ts checks it against them on generated entries).
 */
export function sealEntry(unhashed: Omit<AuditEntry, "hash">): { entry: AuditEntry; line: string } {
  const { hash, line } = sealLine(unhashed);
  return { entry: { ...unhashed, hash } as AuditEntry, line };
}

/** sealEntry without the copy of the entry: its hash and its line. */
export function sealLine(unhashed: Omit<AuditEntry, "hash">): { hash: string; line: string } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const members = unhashed as Record<string, unknown>;
  // Integer-like keys sort before "hash" (digits before letters) and an object keeps them first, as sortKeys' copy does.
  for (const key of Object.keys(members).sort())
    if (key !== "hash") (key < "hash" ? before : after)[key] = sortKeys(members[key]);
  const head = JSON.stringify(before).slice(0, -1); // `{…` or `{`
  const tail = JSON.stringify(after).slice(1); // `…}` or `}`
  const headHasMembers = head.length > 1;
  const tailHasMembers = tail.length > 1;
  const digest = sha256(`${head}${headHasMembers && tailHasMembers ? "," : ""}${tail}`);
  const line = `${head}${headHasMembers ? "," : ""}"hash":"${digest}"${tailHasMembers ? "," : ""}${tail}`;
  return { hash: digest, line };
}

/** The exact line written for an entry (without the newline). */
export function entryLine(entry: AuditEntry): string {
  return canonicalJson(entry);
}
