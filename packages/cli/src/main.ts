import { didYouMean, formatDiagnostic, UserError, WorksiteError } from "@worksite/core/messages";
import { globalOptions, parseArgv } from "./argv.js";
import { type Command, ExitError } from "./command.js";
import { commands } from "./commands/index.js";
import { type CommandIO, processIO, styler } from "./io.js";
import { version } from "./version.js";

/** Global options that take a value, so the value is not read as a command word. */
const VALUE_FLAGS = new Set(
  Object.entries(globalOptions)
    .filter(([, o]) => o.type === "string")
    .flatMap(([name, o]) => [`--${name}`, ...(o.alias ? [`-${o.alias}`] : [])]),
);

/**
 * The command words: the first run of words after any global options
 * (`worksite -w site permissions explain …`), with the index of each word.
 */
function commandWords(argv: readonly string[]): { word: string; at: number }[] {
  const words: { word: string; at: number }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-") && a !== "-") {
      if (words.length) break;
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    words.push({ word: a, at: i });
  }
  return words;
}

/** Finds the longest command name that prefixes the command words: "memory diff" before "memory". */
export function resolveCommand(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  const words = commandWords(argv);
  for (let n = words.length; n > 0; n--) {
    const name = words
      .slice(0, n)
      .map((w) => w.word)
      .join(" ");
    if (commands[name]) {
      const first = words[0]!.at;
      const last = words[n - 1]!.at;
      return { name, rest: [...argv.slice(0, first), ...argv.slice(last + 1)] };
    }
  }
  return undefined;
}

/**
 * The command `argv` would load, to run it or to show its help (`worksite help audit tail`); undefined for
 * plain help, `--version`, a group's list or an unknown command, which need no command module.
 */
export function commandTarget(argv: readonly string[]): string | undefined {
  const words = commandWords(argv[0] === "--" ? argv.slice(1) : argv).map((w) => w.word);
  if (words[0] === "help" && !commands.help) {
    const name = words.slice(1).join(" ");
    return commands[name] ? name : undefined;
  }
  return resolveCommand(argv[0] === "--" ? argv.slice(1) : argv)?.name;
}

/** Groups are the first words of subcommands: `audit`, `memory`, `permissions`, `skill`. */
export function commandGroups(): string[] {
  return [
    ...new Set(
      Object.keys(commands)
        .filter((k) => k.includes(" "))
        .map((k) => k.split(" ")[0]!),
    ),
  ].sort();
}

function groupCommands(group: string): [string, { summary: string }][] {
  return Object.entries(commands)
    .filter(([name]) => name.startsWith(`${group} `))
    .sort(([a], [b]) => a.localeCompare(b));
}

export function groupHelpText(group: string): string {
  const entries = groupCommands(group);
  const width = Math.max(...entries.map(([k]) => k.length));
  return [
    `Usage: worksite ${group} <command> [options]`,
    "",
    "Commands:",
    ...entries.map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    `Run worksite ${group} <command> --help for a command's options.`,
    "",
  ].join("\n");
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

/** The arguments before a `--` separator: only these can be worksite's own options. */
function ownArgs(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("--");
  return end < 0 ? argv : argv.slice(0, end);
}

export async function main(rawArgv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  // `pnpm run worksite -- status` passes the separator through.
  const argv = rawArgv[0] === "--" ? rawArgv.slice(1) : rawArgv;
  const own = ownArgs(argv);
  const json = own.includes("--json");
  try {
    if (argv[0] === "-v" || own.includes("--version")) {
      io.stdout(json ? `${JSON.stringify({ version })}\n` : `${version}\n`);
      return 0;
    }
    const asksHelp = own.includes("--help") || own.includes("-h");
    const words = commandWords(argv).map((w) => w.word);
    // `worksite help`, `worksite help audit`, `worksite help audit tail`
    if (words[0] === "help" && !commands.help) return await help(words.slice(1), io, json);
    const resolved = resolveCommand(argv);
    if (!resolved) {
      const first = words[0];
      if (first === undefined) {
        io.stdout(helpText());
        return asksHelp ? 0 : 1;
      }
      if (commandGroups().includes(first) && words.length === 1) {
        printGroup(first, io, json);
        return asksHelp ? 0 : 1;
      }
      throw unknownCommand(words);
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
    return reportError(error, io, json);
  }
}

async function help(words: string[], io: CommandIO, json: boolean): Promise<number> {
  if (words.length === 0) {
    io.stdout(helpText());
    return 0;
  }
  const name = words.join(" ");
  if (commands[name]) {
    io.stdout(commandHelp(await commands[name].load()));
    return 0;
  }
  if (words.length === 1 && commandGroups().includes(name)) {
    printGroup(name, io, json);
    return 0;
  }
  throw unknownCommand(words);
}

function printGroup(group: string, io: CommandIO, json: boolean): void {
  if (json)
    io.stdout(
      `${JSON.stringify({ group, commands: groupCommands(group).map(([name, c]) => ({ name, summary: c.summary })) }, null, 2)}\n`,
    );
  else io.stdout(groupHelpText(group));
}

function unknownCommand(words: string[]): UserError {
  const [first, second] = words;
  if (first !== undefined && second !== undefined && commandGroups().includes(first)) {
    const names = groupCommands(first).map(([k]) => k.slice(first.length + 1));
    const guess = didYouMean(second, names);
    return new UserError(`unknown command "${first} ${second}"`, {
      hint: guess ? `did you mean "worksite ${first} ${guess}"?` : `the ${first} commands are: ${names.join(", ")}`,
    });
  }
  const all = [...Object.keys(commands), ...commandGroups()];
  const guess = didYouMean(first ?? "", all);
  return new UserError(`unknown command "${first}"`, {
    hint: guess ? `did you mean "worksite ${guess}"?` : "run worksite --help to see the commands",
  });
}

/** Prints an error for a person, or as JSON on stdout under --json; returns the exit code. */
function reportError(error: unknown, io: CommandIO, json: boolean): number {
  const paint = styler(io.isTTY);
  const user = UserError.isUserError(error);
  const known = user || (WorksiteError.isInstance(error) && error.code !== "internal");
  const code = known ? 1 : 2;
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const hint = user ? (error.hint ?? null) : null;
    const diagnostics = user ? error.diagnostics : [];
    io.stdout(
      `${JSON.stringify({ ok: false, error: known ? message : `internal error: ${message}`, hint, diagnostics }, null, 2)}\n`,
    );
    if (!known) io.stderr(`${error instanceof Error ? (error.stack ?? message) : message}\n`);
    return code;
  }
  if (user) {
    for (const d of error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`${paint("red", "error:")} ${message}\n`);
    if (error.hint) io.stderr(`  hint: ${error.hint}\n`);
    return code;
  }
  if (known) {
    io.stderr(`${paint("red", "error:")} ${message}\n`);
    return code;
  }
  io.stderr(`${paint("red", "internal error:")} ${error instanceof Error ? (error.stack ?? message) : message}\n`);
  return code;
}

export function commandHelp(command: Command): string {
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
    "  --version                    print the version",
    "",
  ].join("\n");
}
