import type { OptionsSpec, ParsedArgv } from "./argv.js";
import type { CommandIO } from "./io.js";

/** One command: options as data, one async function. Returns the exit code. */
export interface Command {
  /** Full name, space-separated for subcommands: "memory diff". */
  name: string;
  usage: string;
  summary: string;
  options?: OptionsSpec;
  run(args: ParsedArgv, io: CommandIO): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}

/** Thrown instead of process.exit, so commands stay testable. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message = `exit ${exitCode}`,
  ) {
    super(message);
  }
}
