import type { Diagnostic, Worksite } from "@worksite/core";

/**
 * Issue 16 item 1: a thread that wakes on its own must be able to stop on its own. Without a check
 * that can pass (GOAL.md verify: a command or an artifact), a round cap or a time budget, every wake
 * runs another round forever: "endless drifting". An error, so `worksite check` fails and
 * `worksite wake` will not schedule it.
 */
export function driftDiagnostic(worksite: Worksite): Diagnostic | undefined {
  const { thread, goal } = worksite;
  if (!thread.wake) return undefined;
  const checks = goal.verify.some((v) => v.kind !== "manual");
  const budget = goal.pause.maxRounds !== undefined || goal.pause.budgetMs !== undefined;
  if (checks || budget) return undefined;
  const at = thread.wakeSource ?? { file: thread.file, line: 1, column: 1 };
  return {
    ...at,
    severity: "error",
    message: `wake: ${thread.wake} with no way to stop: GOAL.md has no verify check and no round or time budget (endless drifting)`,
    hint: "give GOAL.md a check that can pass (verify: [npm test]) or a budget (pause: { maxRounds: 50 } or { budget: 8h })",
  };
}
