import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { processIsAlive, processStat, writeFileAtomic } from "@worksite/core";
import { z } from "zod";

/**
 * Every process a run starts (Chromium, commands, their children, detached or not) inherits
 * this variable, `<run id>:<runner pid>`, from the runner's environment. Whatever still carries
 * it after its runner is gone is ours and is ended: at the end of the run for its own mark, and
 * at the next start for the mark of a runner that was killed (issue 21 item 1: SIGKILL left
 * Chromium processes behind, 36 after 9 tries).
 */
export const RUN_MARK_ENV = "WORKSITE_RUN_MARK";

export function runMark(run: string, pid = process.pid): string {
  return `${run}:${pid}`;
}

/** A run as .worksite/runs/<run>.json records it: enough to tell, later, that its runner is gone. */
const RunRecordSchema = z.object({
  run: z.string(),
  pid: z.number().int(),
  host: z.string(),
  started: z.string(),
  /** The runner's start time in clock ticks since boot (/proc/<pid>/stat field 22): a reused pid has another. */
  since: z.number().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export function runsDir(root: string): string {
  return join(root, ".worksite", "runs");
}

const recordPath = (root: string, run: string) => join(runsDir(root), `${run}.json`);

/** Writes this process's record of `run`. */
export async function recordRun(root: string, run: string): Promise<RunRecord> {
  const since = processStat(process.pid)?.startTicks;
  const record: RunRecord = {
    run,
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    ...(since !== undefined ? { since } : {}),
  };
  await mkdir(runsDir(root), { recursive: true });
  await writeFileAtomic(recordPath(root, run), `${JSON.stringify(record)}\n`);
  return record;
}

export async function forgetRun(root: string, run: string): Promise<void> {
  await rm(recordPath(root, run), { force: true });
}

/** Is the runner that wrote this record still that process? A record from another host cannot be judged: yes. */
export function runnerIsAlive(record: RunRecord): boolean {
  if (record.host !== hostname()) return true;
  if (!processIsAlive(record.pid)) return false;
  const since = processStat(record.pid)?.startTicks;
  return record.since === undefined || since === undefined || since === record.since;
}

/**
 * At a run's start (under the thread's lock): every recorded run of this worksite whose runner is
 * gone has what still carries its mark ended, and its record removed. Returns what was ended, per run.
 */
export async function sweepDeadRuns(root: string): Promise<{ run: string; pid: number; ended: number[] }[]> {
  const names = await readdir(runsDir(root)).catch(() => [] as string[]);
  const out: { run: string; pid: number; ended: number[] }[] = [];
  // A record half-written by a runner killed in writeFileAtomic (`<run>.json.<pid>.<hex>.tmp`) names nothing yet.
  for (const name of names.filter((n) => n.endsWith(".tmp"))) {
    const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && !processIsAlive(pid)) await rm(join(runsDir(root), name), { force: true });
  }
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const text = await readFile(join(runsDir(root), name), "utf8").catch(() => undefined);
    const parsed = text === undefined ? undefined : RunRecordSchema.safeParse(safeJson(text));
    if (!parsed?.success) {
      await rm(join(runsDir(root), name), { force: true }); // torn by a kill mid-write: it named nothing we could use
      continue;
    }
    const record = parsed.data;
    if (runnerIsAlive(record)) continue;
    const ended = await endMarked(runMark(record.run, record.pid));
    await forgetRun(root, record.run);
    out.push({ run: record.run, pid: record.pid, ended });
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The processes of this user whose environment carries exactly `mark`. Linux only (/proc): elsewhere
 * none are found, and what a killed runner left is ended by the process group its tools gave it.
 */
export function markedProcesses(mark: string): number[] {
  const wanted = `${RUN_MARK_ENV}=${mark}`;
  const uid = process.getuid?.();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      // Only our own user's processes: another user's environ is not ours to judge (nor readable).
      if (uid !== undefined && statSync(`/proc/${entry}`).uid !== uid) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(wanted)) out.push(pid);
    } catch {
      // gone meanwhile, or not readable
    }
  }
  return out;
}

/** How long a marked process gets to end after SIGTERM before SIGKILL. */
const GRACE_MS = 2_000;

/** Ends every process carrying `mark`: SIGTERM, then SIGKILL for what is left after a grace. Returns their pids. */
export async function endMarked(mark: string, graceMs = GRACE_MS): Promise<number[]> {
  const pids = markedProcesses(mark);
  if (!pids.length) return [];
  for (const pid of pids) signal(pid, "SIGTERM");
  const until = Date.now() + graceMs;
  while (Date.now() < until && markedProcesses(mark).length) await new Promise((r) => setTimeout(r, 25));
  for (const pid of markedProcesses(mark)) signal(pid, "SIGKILL");
  return pids;
}

/** The same, at once and synchronously: for a process about to exit without waiting. */
export function killMarkedNow(mark: string): number[] {
  const pids = markedProcesses(mark);
  for (const pid of pids) signal(pid, "SIGKILL");
  return pids;
}

/**
 * Chromium's helpers overwrite their environment with their process title, so only the browser
 * process still carries the mark; it leads its own group, and the group is ended with it.
 */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    if (processStat(pid)?.group === pid) process.kill(-pid, sig);
    else process.kill(pid, sig);
  } catch {
    // already gone
  }
}
