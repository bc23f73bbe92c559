import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "@worksite/core/messages";
import type { ParsedArgv } from "./argv.js";
import type { CommandIO } from "./io.js";

const MARKERS = ["THREAD.md", "GOAL.md", "PERMISSIONS.md"];

/** `--worksite DIR`, else the nearest folder above cwd holding a THREAD.md, GOAL.md or PERMISSIONS.md. */
export function findWorksite(args: ParsedArgv, io: CommandIO): string {
  const given = args.options.worksite;
  if (typeof given === "string") {
    const dir = resolve(io.cwd, given);
    if (!MARKERS.some((m) => existsSync(join(dir, m))))
      throw new UserError(`${given} is not a worksite (no THREAD.md, GOAL.md or PERMISSIONS.md)`, {
        hint: `create one with: worksite init ${given}`,
      });
    return dir;
  }
  for (let dir = resolve(io.cwd); ; dir = dirname(dir)) {
    if (MARKERS.some((m) => existsSync(join(dir, m)))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new UserError("no worksite here or in any folder above", {
    hint: "create one with: worksite init, or point at one with --worksite DIR",
  });
}
