import { redactSecrets, scanSecrets } from "./scan.js";
import { knownValuesVersion } from "./known-values.js";
import { sensitiveKeyKind } from "./sensitive-key.js";

/**
 * A copy of a JSON-like value with every secret redacted: secrets inside
 * strings (and object keys) by the scanner, and every value under a
 * credential-named key (`password`, `accessToken`, `api_key`,
 * `Authorization` …) whatever it looks like. Non-plain objects are passed
 * through their `toJSON`, as JSON.stringify would. `redactText`, when given
 * (a policy's redactor that also knows the worksite's own secret values), is
 * applied to every string and key after the scanner.
 */
export function redactDeep<T>(value: T, redactText?: (text: string) => string): T {
  const text = redactText ? (s: string) => redactText(redactSecrets(s)) : remembered;
  return walk(value, undefined, [], text) as T;
}

type Text = (text: string) => string;

/*
 * The audit log redacts every event it appends, and a gate's events repeat the
 * same short strings (tool ids, rule texts, reasons, key names) call after call:
 * scanning them again cost ~50 µs an event (issue 13 item 1). The answers are
 * remembered until the scanner's known values change; long strings are not kept.
 */
const MEMO_MAX_ENTRIES = 4096;
const MEMO_MAX_LENGTH = 512;
const texts = new Map<string, string>();
const keyKinds = new Map<string, ReturnType<typeof sensitiveKeyKind>>();
let memoVersion = knownValuesVersion();

function remembered(text: string): string {
  if (text.length > MEMO_MAX_LENGTH) return redactSecrets(text);
  if (memoVersion !== knownValuesVersion()) {
    texts.clear();
    memoVersion = knownValuesVersion();
  }
  let out = texts.get(text);
  if (out === undefined) {
    out = redactSecrets(text);
    if (texts.size >= MEMO_MAX_ENTRIES) texts.clear();
    texts.set(text, out);
  }
  return out;
}

function keyKind(name: string): ReturnType<typeof sensitiveKeyKind> {
  if (keyKinds.has(name)) return keyKinds.get(name);
  const kind = sensitiveKeyKind(name);
  if (keyKinds.size >= MEMO_MAX_ENTRIES) keyKinds.clear();
  if (name.length <= MEMO_MAX_LENGTH) keyKinds.set(name, kind);
  return kind;
}

function walk(
  value: unknown,
  sensitive: "password" | "secret" | undefined,
  /** The objects being walked, outermost first: one of them again is a cycle. A stack, not a WeakSet, since the audit redacts every event and a WeakSet per event was most of its garbage (issue 13 item 1). */
  seen: object[],
  text: Text,
): unknown {
  if (typeof value === "string") {
    if (sensitive && value !== "" && !value.startsWith("[REDACTED")) return `[REDACTED:${sensitive}]`;
    return text(value);
  }
  if (typeof value === "number" || typeof value === "bigint") return sensitive ? `[REDACTED:${sensitive}]` : value;
  if (typeof value !== "object" || value === null) return value;
  if (seen.includes(value)) return "[Circular]";
  seen.push(value);
  try {
    if (Array.isArray(value)) {
      const out = value.map((v) => (typeof v === "string" && !sensitive ? v : walk(v, sensitive, seen, text)));
      if (sensitive) return out;
      // The scanner runs over the lines together; a custom redactor then sees each line.
      const lines = redactLines(out);
      return text === remembered ? lines : lines.map((v) => (typeof v === "string" ? text(v) : v));
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (value as { toJSON?: () => unknown }).toJSON;
      return typeof toJSON === "function"
        ? walk(toJSON.call(value), sensitive, seen, text)
        : walk({ ...value }, sensitive, seen, text);
    }
    const out: Record<string, unknown> = {};
    // Keys, not entries: no pair array per member, on every event the audit appends.
    for (const k of Object.keys(value)) {
      out[text(k)] = walk((value as Record<string, unknown>)[k], sensitive ?? keyKind(k), seen, text);
    }
    return out;
  } finally {
    seen.pop();
  }
}

/**
 * The strings of an array scanned as one text, one per line, so a secret split
 * across elements (a PEM key in an array of output lines) is still found.
 */
function redactLines(items: unknown[]): unknown[] {
  const at: { index: number; start: number; text: string }[] = [];
  let offset = 0;
  items.forEach((item, index) => {
    if (typeof item !== "string") return;
    at.push({ index, start: offset, text: item });
    offset += item.length + 1;
  });
  if (at.length === 0) return items;
  const findings = scanSecrets(at.map((a) => a.text).join("\n"));
  const out = [...items];
  for (const { index, start, text } of at) {
    const end = start + text.length;
    let redacted = "";
    let from = 0;
    for (const f of findings) {
      if (f.end <= start || f.start >= end) continue;
      const s = Math.max(f.start, start) - start;
      if (s < from) continue;
      redacted += `${text.slice(from, s)}[REDACTED:${f.kind}]`;
      from = Math.min(f.end, end) - start;
    }
    out[index] = redacted + text.slice(from);
  }
  return out;
}
