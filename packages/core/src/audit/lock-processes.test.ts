import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";

/*
 * The lock's promise is about PROCESSES: the thread, the audit log and shared
 * files are locked against other worksite processes, not other promises. So
 * here real child processes contend for one lock, each proving it is alone
 * inside by creating a marker file with O_EXCL on entry (a second holder finds
 * it there) and removing it on exit. Some holders are SIGKILLed while holding
 * the lock, so the others must take over a dead holder's lock again and again:
 * the takeover is where an earlier version let two processes in at once (#19).
 *
 * Children run the built dist (Node 20 cannot import TypeScript), which the
 * suite's global setup builds from this source before any test runs.
 */

const lockModule = new URL("../../dist/audit/lock.js", import.meta.url).pathname;

/** Takes the lock `times` times; each time it proves it is alone, then leaves (or, with `die`, is killed holding it). */
const CHILD = `
const { withFileLock } = await import(${JSON.stringify(lockModule)});
const { open, unlink, readFile } = await import("node:fs/promises");
const [lock, marker, times, die] = process.argv.slice(1);
for (let i = 0; i < Number(times); i++) {
  await withFileLock(lock, async () => {
    let handle;
    try {
      handle = await open(marker, "wx");
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const other = await readFile(marker, "utf8").catch(() => "?");
      console.log(JSON.stringify({ collision: { me: process.pid, inside: other } }));
      process.exit(3);
    }
    await handle.writeFile(String(process.pid));
    await handle.close();
    // Stay inside across a few turns of the event loop, so rivals get to act meanwhile.
    for (let t = 0; t < 3; t++) await new Promise((r) => setImmediate(r));
    await unlink(marker);
    if (die === "die") process.kill(process.pid, "SIGKILL"); // dies holding the lock: a stale lock to take over
  }, { timeoutMs: 120_000 });
}
console.log(JSON.stringify({ done: Number(times) }));
`;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function child(lock: string, marker: string, times: number, die: boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--input-type=module", "-e", CHILD, lock, marker, String(times), die ? "die" : "live"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const ROUNDS = 15;
const CONTENDERS = 4;
const ENTRIES = 20;
const DYING = 6;

describe("the lock across processes", () => {
  it("lets one process at a time inside, while holders are killed holding it and the others take their stale locks over", async () => {
    const failures: string[] = [];
    let takenOver = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await tempDir("worksite-lock-procs-");
      dirs.push(dir);
      const lock = join(dir, "file.lock");
      const marker = join(dir, "inside");
      // Every round starts over a lock whose holder is gone, as after a crash.
      await writeFile(
        lock,
        JSON.stringify({ pid: 2 ** 22 + 4321, host: hostname(), run: "gone", started: new Date().toISOString() }),
      );
      const outcomes = await Promise.all([
        ...Array.from({ length: CONTENDERS }, () => child(lock, marker, ENTRIES, false)),
        ...Array.from({ length: DYING }, () => child(lock, marker, 1, true)),
      ]);
      outcomes.forEach((o, i) => {
        const dies = i >= CONTENDERS;
        if (dies && o.signal === "SIGKILL" && o.stdout === "") takenOver++;
        else if (dies || o.code !== 0 || !o.stdout.includes(`{"done":${ENTRIES}}`))
          failures.push(`round ${round}, child ${i}: exit ${o.code ?? o.signal} ${o.stdout.trim()} ${o.stderr.trim()}`);
      });
    }
    expect(failures).toEqual([]);
    // Every killed holder's lock was taken over by someone, or the survivors could not have finished.
    expect(takenOver).toBe(ROUNDS * DYING);
  }, 300_000);
});
