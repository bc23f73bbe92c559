import { readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { anchorPlace } from "./anchor.js";
import { openAuditLog } from "./audit-log.js";
import { canonicalJson, entryHash } from "./hash-chain.js";
import type { AuditEntry, AuditEvent } from "./types.js";
import { tempDir } from "@worksite/test-support";

/*
 * The chain alone has no anchor for its end: cutting the last lines off
 * leaves a shorter chain that verifies. `<log>.head` records the last entry
 * written, so a cut is seen by verify and refused by the next append.
 */
let dir: string;
let path: string;
beforeEach(async () => {
  dir = await tempDir("worksite-audit-truncation-");
  path = join(dir, ".worksite", "audit.jsonl");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number): AuditEvent => ({
  type: "decision",
  actor: "agent",
  tool: "shell.run",
  target: `echo ${i}`,
  outcome: "ok",
});
const lines = async () => (await readFile(path, "utf8")).split("\n").filter(Boolean);
const keepLines = async (n: number) =>
  writeFile(
    path,
    (await lines())
      .slice(0, n)
      .map((l) => `${l}\n`)
      .join(""),
  );

async function writeThree(): Promise<AuditEntry[]> {
  const log = openAuditLog(path);
  const out: AuditEntry[] = [];
  for (let i = 1; i <= 3; i++) out.push(await log.append(event(i)));
  // The heads move on the turn after a sync (writer.ts, headsDueAt): the tests change them by hand only after that.
  await new Promise((resolve) => setImmediate(resolve));
  return out;
}

describe("the audit log's tail anchor", () => {
  it("records the seq and hash of the last entry in <log>.head after every append, leaving no temp file", async () => {
    const log = openAuditLog(path);
    const first = await log.append(event(1));
    expect(JSON.parse(await readFile(`${path}.head`, "utf8"))).toEqual({ seq: 1, hash: first.hash });
    const second = await log.append(event(2));
    expect(JSON.parse(await readFile(`${path}.head`, "utf8"))).toEqual({ seq: 2, hash: second.hash });
    await log.close(); // the lock is held while appends keep coming, and handed back on close
    // `id` names the worksite's folder in the person's state folder, where the second anchor lives (anchor.test.ts).
    expect((await readdir(join(dir, ".worksite"))).sort()).toEqual(["audit.jsonl", "audit.jsonl.head", "id"]);
  });

  it("makes verify report lines removed from the end, naming where the log now ends", async () => {
    const [, , third] = await writeThree();
    await keepLines(1);
    const result = await openAuditLog(path).verify();
    expect(result).toMatchObject({ ok: false, entries: 1, line: 2 });
    if (!result.ok) {
      expect(result.problem).toContain("the log ends at line 1, but entry seq 3");
      expect(result.problem).toContain(third!.hash.slice(0, 12));
      expect(result.problem).toContain("lines were removed from the end");
    }
  });

  it("makes verify report a log emptied or deleted after it was written", async () => {
    await writeThree();
    await writeFile(path, "");
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      entries: 0,
      problem: expect.stringContaining("the log is empty, but entry seq 3"),
    });
    await unlink(path);
    expect(await openAuditLog(path).verify()).toMatchObject({ ok: false, entries: 0 });
  });

  it("refuses to chain onto a cut-back log, from the same object and from a fresh one, and writes nothing", async () => {
    const log = openAuditLog(path);
    for (let i = 1; i <= 3; i++) await log.append(event(i));
    await keepLines(2);
    await expect(log.append(event(4))).rejects.toMatchObject({
      code: "audit-corrupt",
      message: expect.stringContaining("lines were removed from the end"),
    });
    await expect(openAuditLog(path).append(event(4))).rejects.toMatchObject({
      code: "audit-corrupt",
      message: expect.stringContaining("worksite audit verify"),
    });
    expect(await lines()).toHaveLength(2);
  });

  it("sees the end rewritten consistently after a cut: same length, different last entry", async () => {
    await writeThree();
    await keepLines(2);
    // Re-append entry 3 by hand, chained correctly, as a naive rewrite would: the chain verifies, the head does not match.
    const [, second] = (await lines()).map((l) => JSON.parse(l) as AuditEntry);
    const forged: Omit<AuditEntry, "hash"> = {
      ...event(3),
      target: "echo harmless",
      seq: 3,
      time: new Date().toISOString(),
      prev: second!.hash,
    };
    await writeFile(path, `${(await lines()).join("\n")}\n${canonicalJson({ ...forged, hash: entryHash(forged) })}\n`);
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      line: 3,
      entries: 2,
      problem: expect.stringContaining("rewritten"),
    });
    await expect(openAuditLog(path).append(event(4))).rejects.toMatchObject({ code: "audit-corrupt" });
  });

  it("is not needed: a log without a head (older logs) verifies and takes appends", async () => {
    await writeThree();
    await unlink(`${path}.head`);
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 3 });
    await openAuditLog(path).append(event(4));
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 4 });
  });

  it("accepts a head one entry behind the log, as a crash between the line and the head leaves it", async () => {
    const [, second] = await writeThree();
    // The crash comes before both heads are written: the local one and the anchor in the person's state folder.
    const behind = JSON.stringify({ seq: 2, hash: second!.hash });
    await writeFile(`${path}.head`, behind);
    await writeFile(anchorPlace(path, { create: false })!.path, behind);
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 3 });
    await openAuditLog(path).append(event(4));
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 4 });
  });

  it("treats a damaged head as a problem rather than as no head", async () => {
    await writeThree();
    await writeFile(`${path}.head`, "{}");
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      entries: 3,
      problem: expect.stringContaining("audit.jsonl.head"),
    });
    await expect(openAuditLog(path).append(event(4))).rejects.toMatchObject({ code: "audit-corrupt" });
  });
});
