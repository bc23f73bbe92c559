import { parseCommandLine } from "@worksite/core";

/** One argument as sh reads it back unchanged: bare when it is plain, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell.run command line as it will run: the argv worksite executes, each argument shell-quoted, or
 * `sh -c '…'` when the line needs a shell. What a person approves is then what they read: `echo "a  b"`
 * shows as `echo 'a  b'`, and `npm test && rm -rf x` as `sh -c 'npm test && rm -rf x'` (issue 12).
 */
export function commandAsRun(command: string, cwd?: string): string {
  const parsed = parseCommandLine(command);
  const line = parsed.shell ? `sh -c ${shellQuote(command)}` : parsed.argv.map(shellQuote).join(" ");
  return cwd && cwd !== "." ? `(in ${shellQuote(cwd)}) ${line}` : line;
}

/** The command of a call, when the call runs one (`{ command: "…" }` input, as shell.run takes). */
export function callCommand(input: unknown): { command: string; cwd?: string } | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const { command, cwd } = input as { command?: unknown; cwd?: unknown };
  if (typeof command !== "string" || command === "") return undefined;
  return { command, ...(typeof cwd === "string" ? { cwd } : {}) };
}
