import { describe, expect, it } from "vitest";
import type { AuditEntry } from "./types.js";
import { entryHash, entryLine, GENESIS_HASH, sealEntry } from "./hash-chain.js";

const base = { seq: 1, time: "2026-12-06T05:00:00.000Z", prev: GENESIS_HASH, type: "decision", actor: "agent" };

describe("writing an entry's hash and line in one pass", () => {
  it.each([
    ["a bare entry", base],
    [
      "members on both sides of `hash` in key order",
      { ...base, callHash: "c".repeat(64), tool: "file.write", tier: "allow" },
    ],
    [
      "keys that sort right next to `hash`",
      { ...base, h: 1, has: [1, { b: 2, a: 1 }], hasi: "x", hash_: "y", hasg: null },
    ],
    ["undefined members, which JSON drops", { ...base, target: undefined, data: { a: undefined, b: "two" } }],
    [
      "nested data with unsorted keys and odd characters",
      { ...base, data: { z: "\u2028", a: { y: [3, "é"], b: true } } },
    ],
    ["integer-like keys, which objects keep first", { ...base, data: { 10: "ten", 9: "nine", a: "a" } }],
  ])("gives the bytes verify expects for %s", (_label, unhashed) => {
    const { entry, line } = sealEntry(unhashed as Omit<AuditEntry, "hash">);
    expect(entry.hash).toBe(entryHash(unhashed as Omit<AuditEntry, "hash">));
    expect(line).toBe(entryLine(entry));
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(entry)));
  });

  it("gives the bytes verify expects for 2,000 generated entries of every JSON shape", () => {
    // A small deterministic generator (no dependency): keys and values JSON can hold, and a few it drops.
    let state = 42;
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return Math.floor((state / 2147483648) * n); // the high bits: the low ones of this generator repeat quickly
    };
    const keys = [
      "a",
      "hash",
      "hasH",
      "h",
      "z",
      "0",
      "7",
      "10",
      "01",
      "4294967295",
      "-1",
      "é",
      "\u2028",
      "__proto__",
      "",
    ];
    const strings = ["", "x", "é", "\u2028", '"q"', "\\", "\u0000", "💥", "line\nbreak"];
    // defineProperty, so `__proto__` becomes a member (as JSON.parse makes it), not the object's prototype.
    const put = (o: Record<string, unknown>, k: string, v: unknown) =>
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    const value = (depth: number): unknown => {
      switch (next(depth > 2 ? 6 : 9)) {
        case 0:
          return strings[next(strings.length)];
        case 1:
          return [0, -0, 1.5, -7, 1e21, Number.NaN, Number.POSITIVE_INFINITY][next(7)];
        case 2:
          return [true, false, null][next(3)];
        case 3:
          return undefined;
        case 4:
          return () => 1;
        case 5:
          return new Date(Date.UTC(2026, 11, 6, next(24)));
        case 6:
          return Array.from({ length: next(4) }, () => value(depth + 1));
        default: {
          const out: Record<string, unknown> = {};
          for (let i = next(5); i > 0; i--) put(out, keys[next(keys.length)]!, value(depth + 1));
          return out;
        }
      }
    };
    for (let i = 0; i < 2_000; i++) {
      const unhashed: Record<string, unknown> = { ...base, seq: i + 1 };
      for (let k = next(6); k > 0; k--) put(unhashed, keys[next(keys.length)]!, value(0));
      delete unhashed.hash;
      const { entry, line } = sealEntry(unhashed as Omit<AuditEntry, "hash">);
      expect(entry.hash).toBe(entryHash(unhashed as Omit<AuditEntry, "hash">));
      expect(line).toBe(entryLine(entry));
    }
  });
});
