import { createHash } from "node:crypto";
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
 * A kill can also land inside one write(2): Linux checks for a fatal signal
 * between the pages of a write to a regular file, so a long line can be left
 * cut off part-way (it happened in CI with lines of a few hundred bytes that
 * crossed a page). The second test makes that happen on purpose with a line
 * of megabytes, and checks the next process removes it and records it.
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

function start(marks: string, startAt: number, pad = 0): ChildProcess {
  const child = spawn(process.execPath, [CHILD, root, marks, String(startAt), String(pad)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

/**
 * Starts a child streaming gate calls, kills it with SIGKILL after `marks` write calls ran plus `extraMs`, and
 * waits for its end. `onThread`: the write calls are counted from when the child's syncs run on the audit's own
 * thread (sync-thread.ts).
 */
async function runAndKill(
  marks: string,
  startAt: number,
  wantMarks: number,
  extraMs: number,
  onThread = false,
): Promise<void> {
  const child = start(marks, startAt);
  let err = "";
  let said = "";
  child.stderr!.on("data", (d) => (err += d));
  child.stdout!.on("data", (d) => (said += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ?? code)),
  );
  if (onThread)
    await until(`the child's syncs to run on the audit's thread (stderr: ${err})`, () => said.includes("thread"));
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
      // Random moments: after 1–20 write calls ran, plus 0–3 ms, so kills land anywhere in a call; every other
      // child first runs until its syncs have moved from the thread pool to the audit's own thread.
      const onThread = k % 2 === 1;
      await runAndKill(
        marks,
        k * 1_000_000,
        1 + Math.floor(Math.random() * 20),
        Math.floor(Math.random() * 4),
        onThread,
      );
      const verified = await verifyAuditFile(log);
      if (!verified.ok) expect.fail(`after kill ${k + 1}: line ${verified.line}: ${verified.problem}`);
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

  it("leaves a line cut off part-way when the kill lands inside its write, which the next process removes and records", async () => {
    const log = join(root, ".worksite", "audit.jsonl");
    const marks = join(root, "marks.txt");
    // Long enough that its write(2) takes milliseconds; short enough that the secret scanner still reads it.
    const PAD = 4 * 1024 * 1024;
    let torn: { line: number; bytes: number } | undefined;
    for (let attempt = 0; attempt < 10 && !torn; attempt++) {
      // A fresh `.worksite` (and so a fresh id and anchor) for each try: the last try's anchor names its log.
      await rm(join(root, ".worksite"), { recursive: true, force: true });
      await mkdir(join(root, ".worksite"));
      const child = start(marks, attempt * 1_000_000, PAD);
      const exited = new Promise((resolve) => child.on("exit", resolve));
      // The first line (a read call with a 4 MB target) takes milliseconds to copy in: kill as soon as it starts.
      // A busy loop, since a timer's turn is longer than the write; it blocks this process's events meanwhile.
      const deadline = Date.now() + 60_000;
      while (!(statSync(log, { throwIfNoEntry: false })?.size ?? 0)) {
        if (Date.now() > deadline) throw new Error("timed out waiting for the child's first line");
      }
      child.kill("SIGKILL");
      await exited;
      const verified = await verifyAuditFile(log);
      if (!verified.ok) expect.fail(`line ${verified.line}: ${verified.problem}`);
      torn = verified.torn;
    }
    // Ten tries in a row each finished a 4 MB write before the kill landed: then this kernel never cuts one.
    expect(torn, "a kill inside a 4 MB write left no torn line in ten tries").toBeDefined();
    const cut = readFileSync(log);
    expect(cut.length).toBe(torn!.bytes);
    expect(() => JSON.parse(cut.toString("utf8")), "the torn line is not a whole entry").toThrow();

    await runAndKill(marks, 9_000_000, 3, 0);
    const verified = await verifyAuditFile(log);
    expect(verified).toMatchObject({ ok: true });
    expect(verified).not.toHaveProperty("torn");
    const [removal, ...rest] = await readEntries(log);
    expect(removal).toMatchObject({
      seq: 1,
      type: "note",
      data: { torn: { at: 0, bytes: cut.length, sha256: createHash("sha256").update(cut).digest("hex") } },
    });
    const decided = new Set(rest.filter((e) => e.tool === "crash.touch").map((e) => e.target));
    const ran = readFileSync(marks, "utf8").split("\n").filter(Boolean);
    expect(ran.filter((id) => !decided.has(id))).toEqual([]);
  }, 300_000);
});
