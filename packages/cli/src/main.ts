import { formatDiagnostic, UserError, WorksiteError } from "@worksite/core";
import { closest, parseArgv } from "./argv.js";
import { ExitError } from "./command.js";
import { commands } from "./commands/index.js";
import { type CommandIO, processIO, styler } from "./io.js";
import { version } from "./version.js";

/** Finds the longest command name that prefixes the positionals: "memory diff" before "memory". */
export function resolveCommand(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith("-")) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(" ");
    if (commands[name]) {
      const at = argv.indexOf(words[n - 1]!);
      return { name, rest: [...argv.slice(0, argv.indexOf(words[0]!)), ...argv.slice(at + 1)] };
    }
  }
  return undefined;
}

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "worksite — make an agent's long-running work safe, auditable and stoppable",
    "",
    "Usage: worksite <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options for every command:",
    "  -w, --worksite DIR  the worksite (default: the nearest one above the current folder)",
    "  --json              print data as JSON",
    "  -h, --help          help for a command",
    "  --version           print the version",
    "",
  ].join("\n");
}

export async function main(rawArgv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const paint = styler(io.isTTY);
  // `pnpm run worksite -- status` passes the separator through.
  const argv = rawArgv[0] === "--" ? rawArgv.slice(1) : rawArgv;
  try {
    if (argv[0] === "--version" || argv[0] === "-v") {
      io.stdout(`${version}\n`);
      return 0;
    }
    const resolved = resolveCommand(argv);
    if (!resolved) {
      const first = argv.find((a) => !a.startsWith("-"));
      if (first === undefined || argv[0] === "--help" || argv[0] === "-h" || first === "help") {
        io.stdout(helpText());
        return first === undefined && !argv.includes("--help") && !argv.includes("-h") ? 1 : 0;
      }
      const guess = closest(first, Object.keys(commands));
      throw new UserError(`unknown command "${first}"`, { hint: guess ? `did you mean "worksite ${guess}"?` : "run worksite --help to see the commands" });
    }
    const command = await commands[resolved.name]!.load();
    const args = parseArgv(resolved.rest, command.options ?? {});
    if (args.options.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof ExitError) return error.exitCode;
    if (UserError.isUserError(error)) {
      for (const d of error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr(`${paint("red", "error:")} ${error.message}\n`);
      if (error.hint) io.stderr(`  hint: ${error.hint}\n`);
      return 1;
    }
    if (WorksiteError.isInstance(error) && error.code !== "internal") {
      io.stderr(`${paint("red", "error:")} ${error.message}\n`);
      return 1;
    }
    io.stderr(`${paint("red", "internal error:")} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

export function commandHelp(command: import("./command.js").Command): string {
  const opts = Object.entries(command.options ?? {}).map(([name, o]) => {
    const flag = `${o.alias ? `-${o.alias}, ` : ""}--${name}${o.type === "string" ? " VALUE" : ""}`;
    return `  ${flag.padEnd(28)} ${o.description}`;
  });
  return [
    `Usage: worksite ${command.usage}`,
    "",
    command.summary,
    "",
    ...(opts.length ? ["Options:", ...opts, ""] : []),
    "  -w, --worksite DIR           the worksite (default: the nearest one above the current folder)",
    "  --json                       print data as JSON",
    "",
  ].join("\n");
}
