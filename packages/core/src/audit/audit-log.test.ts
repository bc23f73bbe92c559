import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAuditLog } from "./audit-log.js";
import { entryHash, GENESIS_HASH } from "./hash-chain.js";
import type { AuditEvent } from "./types.js";
import { tempDir } from "@worksite/test-support";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await tempDir("worksite-audit-");
  path = join(dir, ".worksite", "audit.jsonl");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  type: "decision",
  actor: "agent",
  run: "run-1",
  tool: "browser.open",
  target: `https://example.com/page/${i}`,
  tier: "allow",
  decidedBy: "rule PERMISSIONS.md:12",
  outcome: "ok",
  ...extra,
});

const lines = async () => (await readFile(path, "utf8")).split("\n").filter(Boolean);

describe("the audit log", () => {
  it("chains entries: seq counts from 1, the first prev is 64 zeros, each prev is the hash before it", async () => {
    const log = openAuditLog(path);
    const a = await log.append(event(1));
    const b = await log.append(event(2));
    expect(a).toMatchObject({ seq: 1, prev: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prev: a.hash });
    expect(entryHash(b)).toBe(b.hash);
    expect(await lines()).toHaveLength(2);
    expect(await log.entries()).toEqual([a, b]);
    expect(await log.verify()).toEqual({ ok: true, entries: 2 });
  });

  it("redacts secrets before hashing and writing, so the chain still verifies", async () => {
    const log = openAuditLog(path);
    const token = "ghp_" + "Zq8rT3vW5xY7aB9cD1eF3gH5jK7mN9pQ2sU4";
    const entry = await log.append(
      event(1, { target: `https://bot:${token}@git.example.org/x.git`, data: { input: { password: "hunter2" } } }),
    );
    const raw = await readFile(path, "utf8");
    expect(raw).not.toContain(token);
    expect(raw).not.toContain("hunter2");
    expect(entry.target).toBe("https://bot:[REDACTED:github-token]@git.example.org/x.git");
    expect(await log.verify()).toEqual({ ok: true, entries: 1 });
  });

  it("names the line when any single byte of the file is changed", async () => {
    const log = openAuditLog(path);
    for (let i = 1; i <= 3; i++) await log.append(event(i, { message: `step ${i} — ünïcode ok` }));
    const original = await readFile(path);
    const lineOf = (at: number) => original.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    let checked = 0;
    for (let at = 0; at < original.length; at++) {
      const changed = Buffer.from(original);
      changed[at] = changed[at]! ^ 0x01;
      await writeFile(path, changed);
      const result = await log.verify();
      expect(result.ok, `byte ${at} changed`).toBe(false);
      if (!result.ok) expect(result.line, `byte ${at}`).toBe(lineOf(at));
      checked++;
    }
    expect(checked).toBe(original.length);
    // Hundreds of verifies, each reading both tail anchors: generous on a loaded machine.
  }, 60_000);

  it("notices a removed entry and a swapped pair", async () => {
    const log = openAuditLog(path);
    for (let i = 1; i <= 4; i++) await log.append(event(i));
    const all = await lines();
    await writeFile(path, `${[all[0], all[2], all[3]].join("\n")}\n`);
    expect(await log.verify()).toMatchObject({ ok: false, line: 2, problem: expect.stringContaining("seq") });
    await writeFile(path, `${[all[0], all[2], all[1], all[3]].join("\n")}\n`);
    expect(await log.verify()).toMatchObject({ ok: false, line: 2 });
  });

  it("reports a torn last line as no entry, then removes it at the next append and records what it held", async () => {
    const log = openAuditLog(path);
    for (let i = 1; i <= 3; i++) await log.append(event(i));
    const whole = await readFile(path);
    const fragment = '{"seq":4,"time":"2024-06-01T00:00:00.000Z","ty';
    await appendFile(path, fragment);
    expect(await log.verify()).toEqual({ ok: true, entries: 3, torn: { line: 4, bytes: fragment.length } });
    expect(await log.entries()).toHaveLength(3);
    // The same object (which held the lock when the fragment appeared) and a fresh one both chain on the whole lines.
    await log.append(event(4));
    await openAuditLog(path).append(event(5));
    const after = await readFile(path);
    expect(after.subarray(0, whole.length).equals(whole)).toBe(true);
    const entries = await log.entries();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(entries[3]).toMatchObject({
      type: "note",
      actor: "worksite",
      data: {
        torn: {
          at: whole.length,
          bytes: fragment.length,
          sha256: createHash("sha256").update(fragment).digest("hex"),
          start: fragment,
        },
      },
    });
    expect(entries[3]!.message).toContain(`removed an unfinished line of ${fragment.length} bytes`);
    expect(entries[4]!.target).toBe(event(4).target);
    expect(await log.verify()).toEqual({ ok: true, entries: 6 });
  });

  it("never cuts a torn line to hide an entry a head names: the line's end cut off is refused as a cut-back log", async () => {
    const log = openAuditLog(path);
    for (let i = 1; i <= 3; i++) await log.append(event(i));
    await log.close();
    const raw = await readFile(path, "utf8");
    // Cut the last (synced, head-named) line part-way, as if it were a torn write.
    await writeFile(path, raw.slice(0, raw.length - 20));
    expect(await log.verify()).toMatchObject({
      ok: false,
      problem: expect.stringContaining("lines were removed from the end"),
    });
    await expect(openAuditLog(path).append(event(4))).rejects.toMatchObject({ code: "audit-corrupt" });
    expect(await readFile(path, "utf8")).toBe(raw.slice(0, raw.length - 20));
  });

  it("refuses to chain onto a last line that is complete but altered", async () => {
    const log = openAuditLog(path);
    await log.append(event(1));
    await writeFile(path, (await readFile(path, "utf8")).replace("example.com", "exampl3.com"));
    await expect(openAuditLog(path).append(event(2))).rejects.toMatchObject({ code: "audit-corrupt" });
  });

  it("keeps one chain when two writers in this process append at once", async () => {
    const a = openAuditLog(path);
    const b = openAuditLog(path);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(event(i, { actor: i % 2 ? "a" : "b" }))),
    );
    expect(await a.verify()).toEqual({ ok: true, entries: 60 });
    expect((await a.entries()).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("re-reads the tail when another writer appended since its last append", async () => {
    const a = openAuditLog(path);
    const b = openAuditLog(path);
    await a.append(event(1));
    await b.append(event(2));
    const third = await a.append(event(3));
    expect(third.seq).toBe(3);
    expect(await a.verify()).toEqual({ ok: true, entries: 3 });
  });

  it("takes over a lock left by a dead process, and waits for a live one", async () => {
    const log = openAuditLog(path, { lock: { timeoutMs: 300 } });
    await log.append(event(1));
    // The writer holds the lock while appends come; close hands it back so another holder can be faked.
    await log.close();
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, time: Date.now(), nonce: "x" }));
    await log.append(event(2));
    await log.close();
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, time: Date.now(), nonce: "y" }));
    await expect(log.append(event(3))).rejects.toMatchObject({ code: "locked" });
    await rm(`${path}.lock`);
    await log.append(event(3));
    expect(await log.verify()).toEqual({ ok: true, entries: 3 });
  });
});

// A real second and third process append while this one does. They run the built dist (Node 20
// cannot import TypeScript), which the suite's global setup builds from this source before any test
// runs; a missing dist fails the children, and so the test, instead of skipping it.
const distIndex = new URL("../../dist/audit/index.js", import.meta.url).pathname;

describe("across processes", () => {
  it("keeps one chain while two child processes append at the same time as this one", async () => {
    const child = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const script = `const { openAuditLog } = await import(${JSON.stringify(distIndex)});
          const log = openAuditLog(${JSON.stringify(path)});
          await Promise.all(Array.from({ length: 40 }, (_, i) => log.append({ type: "note", actor: ${JSON.stringify(name)}, message: "n" + i })));`;
        const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        p.stderr.on("data", (d) => (err += d));
        p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}: ${err}`))));
      });
    const here = openAuditLog(path);
    await Promise.all([
      child("child-1"),
      child("child-2"),
      ...Array.from({ length: 40 }, (_, i) => here.append(event(i))),
    ]);
    const entries = await here.entries();
    expect(entries).toHaveLength(120);
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(["agent", "child-1", "child-2"]));
    expect(await here.verify()).toEqual({ ok: true, entries: 120 });
  });
});
