import { hash, randomBytes } from "node:crypto";

/**
 * JSON with object keys sorted at every level, so the same call always hashes
 * the same however its input was written. `undefined` members are dropped,
 * as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  // Built in one string, without the arrays of pairs an entries/filter/sort/map made per object: hashing a
  // call is on every gate call (issue 13 item 1). The same text as before, which approvals already bind to.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // A hole stays empty, as map and join left it.
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  let out = "{";
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === "function") continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** What approvals bind to: the exact tool, its parsed input and the target the rules saw. */
export function hashCall(tool: string, input: unknown, target: string | undefined): string {
  return hash("sha256", canonicalJson({ tool, input, target: target ?? null }), "hex");
}

/** Short ids a person can type: `ap_3f9c2a1b7e`. The prefix says what it names. */
export function newId(prefix: "ap" | "dr" | "gr"): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

const ID = /^(ap|dr|gr)_[0-9a-f]{10}$/;

/** Ids become file names, so anything else (`../x`) is rejected before touching the disk. */
export function isId(value: string, prefix?: "ap" | "dr" | "gr"): boolean {
  return ID.test(value) && (prefix === undefined || value.startsWith(`${prefix}_`));
}
