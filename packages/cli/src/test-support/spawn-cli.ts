import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** Test support only: the real `worksite` binary as a separate process, built by the suite's global setup. */
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
export const worksiteBin = join(repo, "packages/cli/dist/bin.js");

export interface LiveCli {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  readonly out: string;
  readonly err: string;
  /** Resolves once stdout matches (polled on each write, with a generous deadline), with stdout so far. */
  waitForOutput(pattern: RegExp, deadlineMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `worksite ...argv` with piped output (not a terminal); it is killed if still running when the test ends. */
export function startCli(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): LiveCli {
  const child = spawn(process.execPath, [worksiteBin, ...argv], {
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("close", (code, signal) => {
      for (const w of waiters) w();
      resolve(code ?? signal ?? "unknown");
    });
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return {
    child,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    exited,
    waitForOutput(pattern, deadlineMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            cleanup();
            resolve(out);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(
              new Error(
                `worksite ${argv.join(" ")} ended before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${deadlineMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, deadlineMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs `worksite ...argv` to its end as a separate process. */
export async function runCliProcess(
  argv: readonly string[],
  cwd: string,
): Promise<{ code: number | string; out: string; err: string }> {
  const cli = startCli(argv, cwd);
  const code = await cli.exited;
  return { code, out: cli.out, err: cli.err };
}
