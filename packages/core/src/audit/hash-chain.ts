import { createHash } from "node:crypto";
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

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash an entry must carry: sha256 of its canonical JSON without `hash` (so it covers `prev`, chaining it). */
export function entryHash(entry: Omit<AuditEntry, "hash"> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256(canonicalJson(rest));
}

/** The exact line written for an entry (without the newline). */
export function entryLine(entry: AuditEntry): string {
  return canonicalJson(entry);
}
