import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@worksite/core/atomic-file";
import { z } from "zod";

/*
 * Wake results live in `.worksite/wakes/`, apart from `.worksite/inbox/` (a person's steer and queue
 * messages): the agent's tools and its sandbox cannot write `.worksite/` (the floor), so a record here
 * was written by the scheduler, never forged by the thread it reports on.
 */

export const wakeOutcomes = [
  "done",
  "continued",
  "waiting for a person",
  "failed",
  "skipped",
  "nothing to report",
  "interrupted",
] as const;
export type WakeOutcome = (typeof wakeOutcomes)[number];

const recordSchema = z.object({
  id: z.string(),
  /** The wake's time on the schedule (before jitter). */
  scheduledFor: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.enum(wakeOutcomes),
  /** One line a person reads in `worksite inbox`. */
  summary: z.string(),
  round: z.number().int().optional(),
  run: z.string().optional(),
  /** Where to look: the round's report and artifacts. */
  links: z.array(z.string()).default([]),
  /** Wakes that a sleeping machine missed and this one stands for. */
  missed: z.number().int().optional(),
  stage: z.string().optional(),
  /** Why the rollout counts this wake against the thread (refused call, repeated failure, broken audit chain). */
  incident: z.string().optional(),
  /** The scheduled automation (automations/NAME.md) this run was, when it was one. */
  automation: z.string().optional(),
  /** Which worker took it (host:pid), for the many-machine backend. */
  worker: z.string().optional(),
  read: z.boolean().default(false),
  /** Runs with nothing to report are archived at once: `worksite inbox --all` still shows them. */
  archived: z.boolean().default(false),
});
export type WakeRecord = z.infer<typeof recordSchema>;

export function wakesDir(root: string): string {
  return join(root, ".worksite", "wakes");
}

const recordFile = (root: string, id: string) => join(wakesDir(root), `${id}.json`);

/** A record id from the wake's time and a key that is the same for every retry of the same wake. */
export function wakeId(scheduledFor: number, key: string): string {
  return `wk-${String(scheduledFor).padStart(14, "0")}-${key.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60)}`;
}

/** Writes a record once: a second worker finishing the same wake finds the first one's and leaves it. */
export async function writeWakeRecord(root: string, record: WakeRecord): Promise<boolean> {
  await mkdir(wakesDir(root), { recursive: true });
  try {
    await writeFile(recordFile(root, record.id), `${JSON.stringify(record, null, 2)}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export async function readWakeRecord(root: string, id: string): Promise<WakeRecord | undefined> {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(await readFile(recordFile(root, id), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every wake record, oldest first (ids sort by scheduled time). */
export async function listWakeRecords(root: string): Promise<WakeRecord[]> {
  let names: string[];
  try {
    names = (await readdir(wakesDir(root))).filter((n) => n.startsWith("wk-") && n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const records = await Promise.all(names.map((n) => readWakeRecord(root, n.slice(0, -5))));
  return records.filter((r): r is WakeRecord => r !== undefined);
}

export async function markRead(root: string, ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) {
    const record = await readWakeRecord(root, id);
    if (!record || record.read) continue;
    await writeFileAtomic(recordFile(root, id), `${JSON.stringify({ ...record, read: true }, null, 2)}\n`);
    n++;
  }
  return n;
}

const stateSchema = z.object({
  /** The schedule these times belong to; a changed `wake:` starts afresh. */
  schedule: z.string(),
  /** When the schedule was first seen: intervals count from here, expiry too. */
  since: z.string(),
  /** The scheduled time of the last wake handled (ran or skipped). */
  lastScheduled: z.string().optional(),
  nextWake: z.string().optional(),
  /** The stage THREAD.md had and since when: promotion conditions count from here. */
  stage: z.string().optional(),
  stageSince: z.string().optional(),
  /** Why this thread wakes no more (done, expired, a one-shot that ran). */
  stopped: z.string().optional(),
});
export type WakeState = z.infer<typeof stateSchema>;

const statePath = (root: string) => join(wakesDir(root), "schedule.json");

export async function readWakeState(root: string): Promise<WakeState | undefined> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(statePath(root), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeWakeState(root: string, state: WakeState): Promise<void> {
  await mkdir(wakesDir(root), { recursive: true });
  await writeFileAtomic(statePath(root), `${JSON.stringify(state, null, 2)}\n`);
}

/** One change at a time per worksite in this process: the scheduler's plan and a wake's result both update it. */
const updating = new Map<string, Promise<unknown>>();

export function updateWakeState(
  root: string,
  schedule: string,
  change: (state: WakeState) => WakeState,
  now: number,
): Promise<WakeState> {
  const next = (updating.get(root) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => applyWakeState(root, schedule, change, now));
  updating.set(root, next);
  void next
    .finally(() => {
      if (updating.get(root) === next) updating.delete(root);
    })
    .catch(() => undefined);
  return next;
}

async function applyWakeState(
  root: string,
  schedule: string,
  change: (state: WakeState) => WakeState,
  now: number,
): Promise<WakeState> {
  const before = await readWakeState(root);
  const base: WakeState =
    before && before.schedule === schedule ? before : { schedule, since: new Date(now).toISOString() };
  // Carry the stage history across a schedule change: a promotion's clock is about the stage, not the schedule.
  if (before && before !== base) {
    if (before.stage) base.stage = before.stage;
    if (before.stageSince) base.stageSince = before.stageSince;
  }
  const next = change(base);
  await writeWakeState(root, next);
  return next;
}
