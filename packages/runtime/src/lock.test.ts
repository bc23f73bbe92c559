import { spawnSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import { afterEach, describe, expect, it } from "vitest";
import { acquireLock, liveLock, lockPath, readLock } from "./lock.js";
import { tempDir } from "@worksite/test-support";

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

async function rootWithDeadLock(): Promise<{
  root: string;
  dead: { pid: number; host: string; run: string; started: string };
}> {
  const root = await tempDir("worksite-thread-lock-");
  roots.push(root);
  const dead = {
    pid: spawnSync(process.execPath, ["-e", ""]).pid,
    host: hostname(),
    run: "r-killed",
    started: new Date().toISOString(),
  };
  await mkdir(join(root, ".worksite"), { recursive: true });
  await writeFile(lockPath(root), `${JSON.stringify(dead)}\n`);
  return { root, dead };
}

describe("the thread lock", () => {
  it("lets exactly one of two runs starting together take over a killed run's lock; the other is told the thread is running", async () => {
    for (let i = 0; i < 10; i++) {
      const { root, dead } = await rootWithDeadLock();
      expect(await liveLock(root)).toBeUndefined();
      const results = await Promise.allSettled([acquireLock(root, "r-a"), acquireLock(root, "r-b")]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(UserError.isUserError(lost[0]!.reason)).toBe(true);
      expect((lost[0]!.reason as Error).message).toMatch(/this thread is already running \(run r-[ab], pid \d+/);
      const held = won[0]!.value;
      expect(await liveLock(root)).toEqual(held.info);
      // The winner says whose lock it replaced, whichever of the two removed it: the run logs that.
      expect(held.tookOverFrom).toEqual(dead);
      await held.release();
      expect(await readLock(root)).toBeUndefined();
    }
  });

  it("reports the killed run it took over from when it is the only taker", async () => {
    const { root, dead } = await rootWithDeadLock();
    const held = await acquireLock(root, "r-next");
    expect(held.tookOverFrom).toEqual(dead);
    expect(held.info).toMatchObject({ pid: process.pid, run: "r-next" });
    await held.release();
  });
});
