import { spawnSync } from "node:child_process";
import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WorksiteError } from "../errors.js";
import { type LockHolder, processIsAlive, tryFileLock, withFileLock } from "./lock.js";
import { tempDir as sharedTempDir } from "@worksite/test-support";

const tempDir = () => sharedTempDir("worksite-lock-");

/** The pid of a process that has already exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid;
  expect(processIsAlive(pid)).toBe(false);
  return pid;
}

function holder(pid: number, run = "r-dead"): LockHolder {
  return { pid, host: hostname(), run, started: new Date().toISOString() };
}

describe("the lock primitive", () => {
  it("lets exactly one of two concurrent takers win the lock a dead run left behind", async () => {
    const dead = holder(deadPid());
    for (let i = 0; i < 20; i++) {
      const lock = join(await tempDir(), "lock");
      await writeFile(lock, JSON.stringify(dead));
      const [a, b] = await Promise.all([tryFileLock(lock, { run: "a" }), tryFileLock(lock, { run: "b" })]);
      const winners = [a, b].filter((x) => "held" in x);
      expect(winners).toHaveLength(1);
      const loser = [a, b].find((x) => "heldBy" in x) as { heldBy: LockHolder };
      const won = (winners[0] as { held: { holder: LockHolder; tookOverFrom?: LockHolder } }).held;
      expect(loser.heldBy).toEqual(won.holder);
      // The winner names the dead run whose lock it replaced, whichever taker removed it.
      expect(won.tookOverFrom).toEqual(dead);
      expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject(won.holder);
      // Nothing is left aside.
      expect(await readdir(join(lock, ".."))).toEqual(["lock"]);
    }
  });

  it("does not take over a lock whose holder is alive", async () => {
    const lock = join(await tempDir(), "lock");
    await writeFile(lock, JSON.stringify(holder(process.pid, "live")));
    expect(await tryFileLock(lock, { run: "b" })).toEqual({
      heldBy: expect.objectContaining({ run: "live", pid: process.pid }),
    });
  });

  it("takes over a live holder's lock once it is older than staleMs, and reports whom it took it from", async () => {
    const lock = join(await tempDir(), "lock");
    const old = { ...holder(process.pid, "old"), started: new Date(Date.now() - 60_000).toISOString() };
    await writeFile(lock, JSON.stringify(old));
    const attempt = await tryFileLock(lock, { staleMs: 10_000 });
    expect("held" in attempt && attempt.held.tookOverFrom).toEqual(old);
  });

  it("waits out a torn lock file while it is young, and takes it over once it is old", async () => {
    const lock = join(await tempDir(), "lock");
    await writeFile(lock, "");
    expect(await tryFileLock(lock)).toEqual({ heldBy: undefined });
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    expect("held" in (await tryFileLock(lock))).toBe(true);
  });

  it("runs file-lock sections one at a time, even when they start over a dead holder's lock", async () => {
    const lock = join(await tempDir(), "file.lock");
    await writeFile(lock, JSON.stringify(holder(deadPid())));
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withFileLock(lock, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readdir(join(lock, ".."))).toEqual([]);
  });

  it("gives up on a live holder with a WorksiteError naming the lock, not a bare Error", async () => {
    const lock = join(await tempDir(), "file.lock");
    await writeFile(lock, JSON.stringify(holder(process.pid, "busy")));
    const error = await withFileLock(lock, async () => "ran", { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(WorksiteError.isInstance(error) && error.code).toBe("locked");
    expect((error as Error).message).toContain(lock);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
  });

  it("leaves a lock that was taken over from it in place when it releases", async () => {
    const lock = join(await tempDir(), "lock");
    const first = await tryFileLock(lock, { run: "first" });
    if (!("held" in first)) throw new Error("expected the lock");
    const other = JSON.stringify({ ...holder(process.pid, "other"), nonce: "x" });
    await writeFile(lock, other);
    await first.held.release();
    expect(await readFile(lock, "utf8")).toBe(other);
  });
});
