import { listApprovals } from "@worksite/core";
import type { RoundContext } from "./agents/types.js";
import { changedSince, listCheckpoints } from "./checkpoint.js";
import { readRoundReport } from "./report.js";
import { roundExtras } from "./round-extras.js";
import type { Session } from "./session.js";
import { currentStanding, renderFor } from "./standing-state/index.js";
import type { ThreadState } from "./state.js";

/** What this round is given besides the thread's files: who sent what, and the event that woke it. */
export interface RoundInput {
  run: string;
  round: number;
  instruction?: string;
  steering: string[];
  event?: Parameters<typeof roundExtras>[1]["event"];
}

/**
 * Everything the agent reads at the start of a round, fresh: decisions made since the last round are in it.
 * The extras (memory, skills, problems) are returned too: the round's report and write-back use them.
 */
export async function roundContextFor(
  session: Session,
  state: ThreadState,
  input: RoundInput,
): Promise<{ context: RoundContext; extras: Awaited<ReturnType<typeof roundExtras>> }> {
  const { root, worksite } = session;
  const { run, round, instruction, steering } = input;
  // After a rollback the round works from the files it restored, not from the last round's.
  const from = state.continuesFrom;
  const previous =
    from?.round !== undefined
      ? `(${from.reason}: this round works from round ${from.round}'s files.)\n\n${(await readRoundReport(root, from.round)) ?? ""}`
      : await readRoundReport(root);
  const extras = await roundExtras(session, {
    round,
    goalText: [worksite.goal.goal, instruction ?? ""].join("\n"),
    changedFiles: await changedSince(root, from?.commit ?? (await listCheckpoints(root)).at(-1)),
    ...(input.event ? { event: input.event } : {}),
  });
  // Fresh at the start of the round: decisions made since the last one (an approval, a closed problem) are in it.
  const standing = state.round > 0 ? await renderFor(root, await currentStanding(root, worksite, state)) : undefined;
  const context: RoundContext = {
    root,
    run,
    round,
    ...(standing ? { standing } : {}),
    thread: worksite.thread,
    goal: worksite.goal,
    ...(instruction ? { instruction } : {}),
    steering,
    ...(previous ? { lastReport: previous } : {}),
    ...(state.failure !== undefined || state.round > 0
      ? {
          lastVerification: {
            passed: state.failure === undefined,
            failures: state.failure ? [state.failure.summary] : [],
          },
        }
      : {}),
    ...(extras.memory ? { memory: extras.memory } : {}),
    ...(extras.memoryFromOthers ? { memoryFromOthers: extras.memoryFromOthers } : {}),
    skills: extras.skills,
    matchedSkills: extras.matchedSkills,
    openApprovals: (await listApprovals(root))
      .filter((a) => a.status === "pending")
      .map((a) => ({ id: a.id, tool: a.tool, ...(a.target ? { target: a.target } : {}) })),
  };
  return { context, extras };
}
