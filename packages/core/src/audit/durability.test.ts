import fs from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "@worksite/test-support";
import { openAuditLog } from "./audit-log.js";
import { syncThreadState } from "./sync-thread.js";
import type { AuditEvent } from "./types.js";

/*
 * When each line reaches the disk (README.md, "Durability"). No test can cut the power, so these watch the
 * fdatasync calls themselves (spies on the real node:fs, which still does the work): how much of the log
 * each one covered, on which thread, and whether the append's caller was told before or after.
 */
let dir: string;
let path: string;
/** Each sync: how long the log was when it ran, and whether it ran on this thread. */
let syncs: { size: number; onThisThread: boolean }[];
const sizeOf = (fd: number) => fs.fstatSync(fd).size;

beforeEach(async () => {
  dir = await tempDir("worksite-audit-durability-");
  path = join(dir, "audit.jsonl");
  syncs = [];
  const sync = fs.fdatasyncSync;
  const pooled = fs.fdatasync;
  vi.spyOn(fs, "fdatasyncSync").mockImplementation((fd) => {
    syncs.push({ size: sizeOf(fd), onThisThread: true });
    sync(fd);
  });
  vi.spyOn(fs, "fdatasync").mockImplementation((fd, done) => {
    syncs.push({ size: sizeOf(fd), onThisThread: false });
    pooled(fd, done);
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number): AuditEvent => ({ type: "decision", actor: "agent", tool: "file.write", target: `f${i}` });

/** Syncs made so far: the pool's (seen by the spies) and the audit's own thread's (counted by it). */
const syncCount = () => syncs.length + syncThreadState().synced;

describe("when an appended line reaches the disk", () => {
  it("syncs a durable line before its append resolves, in the pool or on the audit's own thread, never holding up the event loop", async () => {
    const log = openAuditLog(path);
    for (let i = 0; i < 30; i++) {
      const before = { pool: syncs.length, thread: syncThreadState().synced };
      await log.append(event(i));
      const size = fs.statSync(path).size;
      // A sync ran between the call and its answer; one in the pool covered the whole log as it is now. The
      // thread's syncs start only once the line is written (sync-thread.ts), so they cover it too.
      if (syncs.length > before.pool) expect(syncs.at(-1)).toEqual({ size, onThisThread: false });
      else expect(syncThreadState().synced).toBeGreaterThan(before.thread);
    }
    expect(syncs.every((s) => !s.onThisThread)).toBe(true);
    await log.close();
  });

  it("moves a stream of durable syncs to the audit's own thread, which the event loop's spies never see", async () => {
    const log = openAuditLog(path);
    const deadline = Date.now() + 10_000;
    while (syncThreadState().state !== "ready" && Date.now() < deadline) await log.append(event(0));
    expect(syncThreadState().state).toBe("ready");
    const before = { pool: syncs.length, thread: syncThreadState().synced };
    for (let i = 0; i < 10; i++) await log.append(event(i));
    expect(syncThreadState().synced - before.thread).toBe(10);
    expect(syncs.length).toBe(before.pool);
    await log.close();
  });

  it("syncs durable appends made at once together, so lines queued meanwhile share a sync", async () => {
    const log = openAuditLog(path);
    await log.append(event(0));
    const before = syncCount();
    const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(event(i + 1))));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(syncCount() - before).toBeGreaterThan(0);
    expect(syncCount() - before).toBeLessThan(20);
    await log.close();
  });

  it("syncs a read call's line within a few milliseconds, in the pool: nobody waits for it, so the event loop does not either", async () => {
    const log = openAuditLog(path);
    await log.append(event(0), { durable: false });
    const size = fs.statSync(path).size;
    const deadline = Date.now() + 10_000;
    while (!syncs.some((s) => s.size === size) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(syncs).toEqual([{ size, onThisThread: false }]);
    await log.close();
  });
});
