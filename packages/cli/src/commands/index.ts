import type { Command } from "../command.js";

/**
 * Every command, lazily imported so `worksite --help` loads nothing heavy.
 * One line per command; the key is the full command name.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: "create a worksite: THREAD.md, GOAL.md, PERMISSIONS.md and folders", load: async () => (await import("./init.js")).default },
  check: { summary: "parse the three worksite files and show what is enforced", load: async () => (await import("./check.js")).default },
};
