import { relative } from "node:path";
import type { CommandIO } from "./io.js";

/**
 * A command line a person can copy and run from where they are: `pnpm worksite`
 * in this repository (WORKSITE_CMD), `worksite` where it is installed, with
 * `--worksite DIR` whenever the worksite is not the current folder.
 */
export function suggestCommand(io: CommandIO, root: string, args: string): string {
  const cmd = io.env.WORKSITE_CMD ?? "worksite";
  const where = relative(io.cwd, root);
  return `${cmd} ${args}${where ? ` --worksite ${/\s/.test(where) ? JSON.stringify(where) : where}` : ""}`;
}
