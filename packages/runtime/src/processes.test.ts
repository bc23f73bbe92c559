import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { markedProcesses, RUN_MARK_ENV, runMark, runsDir } from "./processes.js";
import { runThread } from "./run.js";
import { auditEntries, goal, makeWorksite, permissions, removeWorksites, waitFor } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

/** Host pids of `sleep <marker>` processes. */
function sleepers(marker: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8") === `sleep\0${marker}\0`;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("processes a run starts", () => {
  it("end with the run, even a command's child in a session of its own", async () => {
    // A sleep no other process has: inside the command's sandbox its pid is its namespace's, so it is found by its argument.
    const marker = `301.${process.pid}${Date.now() % 100_000}`;
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: shell.run
    input: { command: "sh -c 'setsid sleep ${marker} >/dev/null 2>&1 & echo $! > child.pid'" }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(sh)"] }),
    });
    const seen: string[] = [];
    // The mark this run gives its children, seen from inside the run (the runner's env while it runs).
    const result = await runThread({
      root,
      rounds: 1,
      onEvent: (e) => void (e.type === "call" && seen.push(process.env[RUN_MARK_ENV] ?? "")),
    });
    expect(result.rounds).toEqual([1]);
    expect(seen[0]).toBe(runMark(result.run));
    const child = Number(await readFile(join(root, "child.pid"), "utf8"));
    expect(child).toBeGreaterThan(0);
    expect(markedProcesses(runMark(result.run))).toEqual([]);
    expect(sleepers(marker)).toEqual([]);
    expect(process.env[RUN_MARK_ENV]).toBeUndefined();
    expect(await readdir(runsDir(root))).toEqual([]);
  });

  it("are ended at the next start when their runner was killed; a live runner's and another worksite's are left alone", async () => {
    const root = await makeWorksite({ goal: goal(`verify: []`) });
    const dead = await deadPid();
    const mark = runMark("run-killed", dead);
    await mkdir(runsDir(root), { recursive: true });
    await writeFile(
      join(runsDir(root), "run-killed.json"),
      JSON.stringify({ run: "run-killed", pid: dead, host: hostname(), started: new Date().toISOString() }),
    );
    // A live runner's record (this process) and a process with a mark no record of this worksite names.
    await writeFile(
      join(runsDir(root), "run-live.json"),
      JSON.stringify({ run: "run-live", pid: process.pid, host: hostname(), started: new Date().toISOString() }),
    );
    const start = (m: string) =>
      spawn("sleep", ["300"], { stdio: "ignore", detached: true, env: { ...process.env, [RUN_MARK_ENV]: m } });
    const orphan = start(mark);
    const live = start(runMark("run-live"));
    const stranger = start(runMark("run-elsewhere", dead));
    try {
      await waitFor(
        () => markedProcesses(mark).length === 1 && markedProcesses(runMark("run-live")).length === 1,
        "the marked processes to start",
      );
      const orphanGone = new Promise((r) => orphan.once("exit", r));
      await runThread({ root, rounds: 1 });
      await orphanGone;
      expect(markedProcesses(mark)).toEqual([]);
      expect(markedProcesses(runMark("run-live"))).toEqual([live.pid]);
      expect(markedProcesses(runMark("run-elsewhere", dead))).toEqual([stranger.pid]);
      expect((await readdir(runsDir(root))).sort()).toEqual(["run-live.json"]);
      expect((await auditEntries(root)).map((e) => e.message)).toContainEqual(
        `ended 1 process(es) left running by run run-killed (its runner, pid ${dead}, is gone)`,
      );
    } finally {
      for (const child of [orphan, live, stranger]) child.kill("SIGKILL");
    }
  });
});
