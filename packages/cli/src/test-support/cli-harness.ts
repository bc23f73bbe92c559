import type { CommandIO } from "../io.js";
import { main } from "../main.js";
import { tempDirWith } from "@worksite/test-support";

/** Test support only (excluded from the build): the in-process CLI harness every CLI test shares. */

export type CapturedIO = CommandIO & { out: string; err: string };

/** A CommandIO that is not a terminal and collects everything written to stdout and stderr. */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIO {
  const io: CapturedIO = {
    cwd,
    env,
    isTTY: false,
    out: "",
    err: "",
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
  };
  return io;
}

/** Runs `worksite ...argv` in this process, the way a person would from `cwd`. */
export async function runCli(
  argv: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO(cwd, env);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/**
 * A fresh folder under the OS temp dir holding `files` (path relative to it → text; parent folders are
 * created, and a path ending in "/" is an empty folder). Removed when the current test finishes.
 */
export function tempWorksite(files: Record<string, string> = {}, prefix = "worksite-test-"): Promise<string> {
  return tempDirWith(files, prefix);
}
