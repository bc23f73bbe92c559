import { redactSecrets } from "./scan.js";
import { sensitiveKeyKind } from "./sensitive-key.js";

/**
 * A copy of a JSON-like value with every secret redacted: secrets inside
 * strings (and object keys) by the scanner, and every value under a
 * credential-named key (`password`, `accessToken`, `api_key`,
 * `Authorization` …) whatever it looks like. Non-plain objects are passed
 * through their `toJSON`, as JSON.stringify would.
 */
export function redactDeep<T>(value: T): T {
  return walk(value, undefined, new WeakSet()) as T;
}

function walk(value: unknown, sensitive: "password" | "secret" | undefined, seen: WeakSet<object>): unknown {
  if (typeof value === "string") {
    if (sensitive && value !== "" && !value.startsWith("[REDACTED")) return `[REDACTED:${sensitive}]`;
    return redactSecrets(value);
  }
  if (typeof value === "number" || typeof value === "bigint") return sensitive ? `[REDACTED:${sensitive}]` : value;
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, sensitive, seen));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (value as { toJSON?: () => unknown }).toJSON;
      return typeof toJSON === "function" ? walk(toJSON.call(value), sensitive, seen) : walk({ ...value }, sensitive, seen);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[redactSecrets(k)] = walk(v, sensitive ?? sensitiveKeyKind(k), seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
