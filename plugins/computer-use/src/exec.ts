import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * How a driver runs its own commands (xdotool, import, osascript,
 * screencapture): always a program and an argv array, never a shell string,
 * so nothing the model writes is ever parsed by a shell. Injected, so the
 * macOS driver's exact commands can be checked on a machine that is not a Mac.
 */
export type CommandRunner = (program: string, args: readonly string[], options?: RunOptions) => Promise<CommandOutput>;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Written to the command's stdin (a JXA script for osascript). */
  input?: string;
}

export interface CommandOutput {
  stdout: Buffer;
  stderr: string;
}

export class CommandFailed extends Error {
  constructor(
    readonly program: string,
    readonly exitCode: number | string | null,
    readonly stderr: string,
  ) {
    super(`${program} failed (${exitCode}): ${stderr.trim().split("\n").slice(0, 3).join(" ")}`);
    this.name = "CommandFailed";
  }
}

export const runCommand: CommandRunner = (program, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      program,
      [...args],
      {
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 15_000,
        ...(options.env ? { env: options.env } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new CommandFailed(program, code, stderr.toString("utf8") || error.message));
          return;
        }
        resolve({ stdout, stderr: stderr.toString("utf8") });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });

/** The first executable named `name` on PATH (or the absolute path given), for "missing tool" errors before any action. */
export function findProgram(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.startsWith("/")) return existsSync(name) ? name : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}
