import { didYouMean, UserError } from "@worksite/core/messages";

/** Options are declared as data; the parser is pure so tests call it directly. */
export interface OptionSpec {
  type: "boolean" | "string";
  alias?: string;
  description: string;
  /** Allowed more than once; the value becomes string[]. */
  multiple?: boolean;
}

export type OptionsSpec = Record<string, OptionSpec>;

export interface ParsedArgv {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

/** Shared by every command. */
export const globalOptions: OptionsSpec = {
  worksite: {
    type: "string",
    alias: "w",
    description: "the worksite folder (default: the nearest one above the current folder)",
  },
  json: { type: "boolean", description: "print data as JSON" },
  help: { type: "boolean", alias: "h", description: "show help for this command" },
};

export function parseArgv(argv: readonly string[], spec: OptionsSpec): ParsedArgv {
  const all: OptionsSpec = { ...globalOptions, ...spec };
  const byAlias = new Map<string, string>();
  for (const [name, o] of Object.entries(all)) if (o.alias) byAlias.set(o.alias, name);
  const positionals: string[] = [];
  const options: ParsedArgv["options"] = {};
  const set = (name: string, value: string | boolean) => {
    const o = all[name]!;
    if (o.multiple) options[name] = [...((options[name] as string[] | undefined) ?? []), String(value)];
    else options[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      for (const rest of argv.slice(i + 1)) positionals.push(rest);
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    let [key, inline] = long ? splitOnce(arg.slice(2), "=") : [arg.slice(1), undefined];
    let negated = false;
    if (long && key.startsWith("no-") && all[key.slice(3)]?.type === "boolean") {
      key = key.slice(3);
      negated = true;
    }
    const name = long ? key : byAlias.get(key);
    const o = name === undefined ? undefined : all[name];
    if (!name || !o) {
      const known = Object.keys(all).map((k) => `--${k}`);
      const guess = didYouMean(`--${key}`, known);
      throw new UserError(`unknown option ${arg}`, {
        hint: guess ? `did you mean ${guess}?` : `run with --help to see the options`,
      });
    }
    if (o.type === "boolean") {
      if (inline !== undefined) throw new UserError(`option --${name} takes no value`);
      set(name, !negated);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UserError(`option --${name} needs a value`);
    set(name, value);
  }
  return { positionals, options };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}
