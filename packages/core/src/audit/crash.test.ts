import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEntries } from "./read.js";
import { verifyAuditFile } from "./verify.js";

/*
 * Issue 13 item 1: kill -9 at any point of a stream of gate calls. A real
 * child process runs a real gate over a worksite and calls, in a loop, a
 * `read` tool and a `write` tool; the write tool, once it runs, appends its
 * call's id to a side file. The parent kills the child with SIGKILL at a
 * random moment, then checks that `audit verify` passes and that every write
 * call the side file says ran has its decision in the log. The next child
 * appends onto the same log, so each kill also leaves a dead holder's lock
 * for the next process to take over. 20 kills here (each costs a node start);
 * `node bench/audit/kill.mjs 100` runs the same loop 100 times.
 *
 * A SIGKILL leaves the page cache alone, so this checks that no decision is
 * still in the process when the tool runs (and that no line is ever torn);
 * that fdatasync makes it survive a power cut is the kernel's promise, not
 * something a test can cut the power for.
 *
 * Children run the built dist (Node 20 cannot import TypeScript), which the
 * suite's global setup builds from this source before any test runs.
 */

const CHILD = new URL("./__fixtures__/crash-child.mjs", import.meta.url).pathname;

let root: string;
let children: ChildProcess[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "worksite-audit-crash-"));
  await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# crash\n");
  await writeFile(join(root, "GOAL.md"), "## Goal\nsurvive kill -9\n");
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n\n## Allow\n- `crash.*`\n");
  await mkdir(join(root, ".worksite"), { recursive: true });
});
afterEach(async () => {
  for (const c of children) c.kill("SIGKILL");
  children = [];
  await rm(root, { recursive: true, force: true });
});

const until = async (what: string, test: () => boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** Starts a child streaming gate calls, kills it with SIGKILL after `marks` write calls ran plus `extraMs`, and waits for its end. */
async function runAndKill(marks: string, startAt: number, wantMarks: number, extraMs: number): Promise<void> {
  const child = spawn(process.execPath, [CHILD, root, marks, String(startAt)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ?? code)),
  );
  const before = existsSync(marks) ? readFileSync(marks, "utf8").split("\n").length : 0;
  await until(
    `child to run ${wantMarks} write calls (stderr: ${err})`,
    () =>
      child.exitCode !== null ||
      (existsSync(marks) && readFileSync(marks, "utf8").split("\n").length - before >= wantMarks),
  );
  if (extraMs) await new Promise((r) => setTimeout(r, extraMs));
  child.kill("SIGKILL");
  expect(await exited, err).toBe("SIGKILL");
}

describe("kill -9 in the middle of a stream of gate calls", () => {
  it("leaves a log that verifies and holds the decision of every write call that ran, kill after kill", async () => {
    const log = join(root, ".worksite", "audit.jsonl");
    const marks = join(root, "marks.txt");
    const KILLS = 20;
    for (let k = 0; k < KILLS; k++) {
      // Random moments: after 1–20 write calls ran, plus 0–3 ms, so kills land anywhere in a call.
      await runAndKill(marks, k * 1_000_000, 1 + Math.floor(Math.random() * 20), Math.floor(Math.random() * 4));
      const verified = await verifyAuditFile(log);
      expect(verified, `after kill ${k + 1}`).toMatchObject({ ok: true });
      const ran = readFileSync(marks, "utf8").split("\n").filter(Boolean);
      const decided = new Set(
        (await readEntries(log))
          .filter((e) => e.type === "decision" && e.tool === "crash.touch" && e.outcome === undefined)
          .map((e) => e.target),
      );
      const missing = ran.filter((id) => !decided.has(id));
      expect(missing, `after kill ${k + 1}: write calls that ran without a decision in the log`).toEqual([]);
    }
    // The log really grew across the kills, and the last holder's lock was taken over each time.
    expect(statSync(log).size).toBeGreaterThan(0);
  }, 300_000);
});
