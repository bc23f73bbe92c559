import { describe, expect, it } from "vitest";
import { canonicalJson, hashCall } from "./call-hash.js";

/** The text approvals were bound to before issue 13 item 1 made it faster: a pending approval must still match its call. */
function before(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(before).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${before(v)}`).join(",")}}`;
}

describe("a call's canonical text", () => {
  it("is the same text approvals were bound to, for 2,000 generated inputs", () => {
    let state = 7;
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return Math.floor((state / 2147483648) * n); // the high bits: the low ones of this generator repeat quickly
    };
    const keys = ["a", "B", "b", "10", "9", "", "é", "__proto__", "url", "\u2028"];
    const value = (depth: number): unknown => {
      switch (next(depth > 2 ? 6 : 8)) {
        case 0:
          return ["", "x", "é", '"', "\\", "\u0000", "💥"][next(7)];
        case 1:
          return [0, -0, 2.5, Number.NaN, Number.NEGATIVE_INFINITY][next(5)];
        case 2:
          return [true, false, null, undefined][next(4)];
        case 3:
          return () => 1;
        case 4:
          return Symbol("s");
        case 5:
          return new Date(Date.UTC(2026, 11, 6));
        case 6: {
          const out = Array.from({ length: next(4) }, () => value(depth + 1));
          if (next(3) === 0) out.length += 2; // holes
          return out;
        }
        default: {
          const out: Record<string, unknown> = {};
          for (let i = next(5); i > 0; i--)
            Object.defineProperty(out, keys[next(keys.length)]!, {
              value: value(depth + 1),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          return out;
        }
      }
    };
    for (let i = 0; i < 2_000; i++) {
      const input = value(0);
      expect(canonicalJson(input)).toBe(before(input));
    }
  });

  it("binds a call to its tool, input and target, whatever order the input's keys were written in", () => {
    const a = hashCall("file.write", { path: "src/a.ts", content: "x" }, "src/a.ts");
    expect(hashCall("file.write", { content: "x", path: "src/a.ts" }, "src/a.ts")).toBe(a);
    expect(hashCall("file.write", { content: "y", path: "src/a.ts" }, "src/a.ts")).not.toBe(a);
    expect(hashCall("file.write", { content: "x", path: "src/a.ts" }, undefined)).not.toBe(a);
  });
});
