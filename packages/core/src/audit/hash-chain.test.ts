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
});
