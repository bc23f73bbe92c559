import { readdirSync, readFileSync } from "node:fs";

/**
 * Every live descendant of `pid`, found through /proc (Linux). The sandbox's
 * inner process starts a session of its own, so a process-group kill does not
 * reach it; it and its PID namespace end when it is killed by pid.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Running, not a zombie waiting for its reaper. */
export function running(pid: number): boolean {
  const state = processStat(pid)?.state;
  return state !== undefined && state !== "Z" && state !== "X";
}

function parentOf(pid: number): number | undefined {
  return processStat(pid)?.parent;
}

export interface ProcessStat {
  /** R, S, D, Z, X, … */
  state: string;
  parent: number;
  group: number;
  /** Start time in clock ticks since boot: a reused pid has another. */
  startTicks: number;
}

/** What /proc/<pid>/stat says of a process (Linux), or undefined when it is gone or unreadable. */
export function processStat(pid: number): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, parent: Number(fields[1]), group: Number(fields[2]), startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}
