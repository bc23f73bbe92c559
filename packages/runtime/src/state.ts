import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@worksite/core/atomic-file";
import { z } from "zod";

export const goalStates = ["active", "waiting", "paused", "blocked", "done", "budget-spent"] as const;
export type GoalState = (typeof goalStates)[number];

const stateSchema = z.object({
  round: z.number().int().nonnegative().default(0),
  state: z.enum(goalStates).default("active"),
  /** The round being worked when the process stopped; a new run redoes it. */
  inProgress: z
    .object({
      round: z.number().int(),
      run: z.string(),
      started: z.string(),
      /** Inbox messages the round took: a redo puts them back first, so a crash loses no instruction. */
      taken: z.array(z.string()).default([]),
      /** When a person stopped it (Ctrl-C); absent when the process was killed. */
      interruptedAt: z.string().optional(),
    })
    .optional(),
  lastStop: z.object({ round: z.number().int(), reason: z.string(), at: z.string() }).optional(),
  /** Normalised signature of the last failure and how many rounds in a row it happened. */
  failure: z.object({ signature: z.string(), count: z.number().int(), summary: z.string() }).optional(),
  lastRun: z.string().optional(),
  /**
   * Set by a rollback (or its undo): the next round works from these files, not from the last round's.
   * `round` is the round whose files they are (absent after an undo); `commit` the checkpoint commit.
   * Cleared once a round has run from them.
   */
  continuesFrom: z
    .object({ round: z.number().int().optional(), commit: z.string(), reason: z.string(), at: z.string() })
    .optional(),
  nextWake: z.string().optional(),
});

export type ThreadState = z.infer<typeof stateSchema>;

export function statePath(root: string): string {
  return join(root, ".worksite", "state.json");
}

export async function readState(root: string): Promise<ThreadState> {
  let text: string;
  try {
    text = await readFile(statePath(root), "utf8");
  } catch {
    return stateSchema.parse({});
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = stateSchema.safeParse(json);
  // The runtime is the only writer; a state it cannot read (torn, hand-edited) is started afresh rather than blocking the thread.
  return parsed.success ? parsed.data : stateSchema.parse({});
}

export async function writeState(root: string, state: ThreadState): Promise<void> {
  await writeFileAtomic(statePath(root), `${JSON.stringify(state, null, 2)}\n`);
}
