import type { CommandIO } from "./io.js";
import { FAST_COMMANDS } from "./fast-commands.js";
import { commandTarget, main as ownMain } from "./main.js";

export { exitQuietlyWhenOutputCloses } from "./io.js";

/**
 * What bin.ts runs, from the bundle scripts/bundle-fast.mjs makes of this file (dist/fast/fast-entry.js):
 * help, version and the fast commands run here; any other command goes to the plain modules before anything
 * of it loads (see fast-commands.ts for why).
 */
export async function main(argv: readonly string[], io?: CommandIO): Promise<number> {
  const target = commandTarget(argv);
  if (target !== undefined && !FAST_COMMANDS.includes(target)) {
    const full: typeof import("./full-entry.js") = await import("./full-entry.js");
    return full.main(argv, io);
  }
  return ownMain(argv, io);
}
