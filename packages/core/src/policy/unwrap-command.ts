/**
 * Programs that run another program: `env`, `sudo`, `nice`, `timeout`, `xargs`,
 * `find -exec`, `bash -c`, `eval`. The policy decides the inner command; when the
 * inner command cannot be found, the call needs at least confirmation.
 */
import { basename } from "node:path";
import type { Word } from "./parse-command.js";

export type Unwrapped =
  | { kind: "none" }
  /** `chdir`: the inner command runs in another folder (`env -C`, `sudo -D`), so its relative file names land elsewhere. */
  | { kind: "argv"; inner: Word[][]; privileged?: boolean; note?: string; chdir?: boolean }
  | { kind: "script"; script: string; privileged?: boolean }
  | { kind: "opaque"; reason: string; inner?: Word[][]; privileged?: boolean };

interface OptionTable {
  /** Options followed by a value as the next word (unless attached). */
  withValue: string[];
  /** Options taking no value; anything else starting with `-` is unknown. */
  flags: string[];
  /** How many positional words come before the command (timeout's duration). */
  positionals?: number;
}

const WRAPPERS: Record<string, OptionTable & { privileged?: boolean }> = {
  env: {
    withValue: ["-u", "--unset", "-C", "--chdir"],
    flags: ["-i", "-", "--ignore-environment", "-0", "--null", "-v", "--debug"],
  },
  sudo: {
    withValue: [
      "-u",
      "-g",
      "-C",
      "-D",
      "-h",
      "-p",
      "-r",
      "-t",
      "-U",
      "-T",
      "--user",
      "--group",
      "--chdir",
      "--host",
      "--prompt",
      "--role",
      "--type",
      "--other-user",
      "--command-timeout",
    ],
    flags: [
      "-E",
      "-H",
      "-n",
      "-k",
      "-K",
      "-b",
      "-P",
      "-S",
      "-A",
      "-B",
      "--preserve-env",
      "--set-home",
      "--non-interactive",
      "--background",
      "--askpass",
      "--stdin",
    ],
    privileged: true,
  },
  doas: { withValue: ["-u", "-C"], flags: ["-n", "-s"], privileged: true },
  nice: { withValue: ["-n", "--adjustment"], flags: [] },
  nohup: { withValue: [], flags: [] },
  time: {
    withValue: ["-f", "-o", "--format", "--output"],
    flags: ["-p", "-a", "-v", "--portability", "--append", "--verbose"],
  },
  command: { withValue: [], flags: ["-p", "-v", "-V"] },
  builtin: { withValue: [], flags: [] },
  exec: { withValue: ["-a"], flags: ["-c", "-l"] },
  setsid: { withValue: [], flags: ["-c", "-f", "-w", "--ctty", "--fork", "--wait"] },
  stdbuf: { withValue: ["-i", "-o", "-e", "--input", "--output", "--error"], flags: [] },
  timeout: {
    withValue: ["-s", "-k", "--signal", "--kill-after"],
    flags: ["-v", "--verbose", "--foreground", "--preserve-status"],
    positionals: 1,
  },
  ionice: { withValue: ["-c", "-n", "--class", "--classdata"], flags: ["-t", "--ignore"] },
  chrt: {
    withValue: [],
    flags: [
      "-b",
      "-f",
      "-i",
      "-o",
      "-r",
      "-d",
      "--batch",
      "--fifo",
      "--idle",
      "--other",
      "--rr",
      "--deadline",
      "-R",
      "--reset-on-fork",
    ],
    positionals: 1,
  },
  taskset: { withValue: [], flags: ["-a", "-c", "--all-tasks", "--cpu-list"], positionals: 1 },
  xargs: {
    withValue: [
      "-a",
      "-d",
      "-E",
      "-I",
      "-L",
      "-n",
      "-P",
      "-s",
      "--arg-file",
      "--delimiter",
      "--max-lines",
      "--max-args",
      "--max-procs",
      "--max-chars",
      "--replace",
      "--process-slot-var",
    ],
    flags: [
      "-0",
      "-r",
      "-t",
      "-p",
      "-x",
      "--null",
      "--no-run-if-empty",
      "--verbose",
      "--interactive",
      "--exit",
      "--open-tty",
      "-o",
    ],
  },
};

const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox", "fish"]);

export function unwrapCommand(argv: readonly Word[]): Unwrapped {
  const program = argv[0];
  if (!program || program.computed) return { kind: "none" };
  const name = basename(program.text);

  if (name === "eval") {
    const rest = argv.slice(1);
    if (rest.some((w) => w.computed)) return { kind: "opaque", reason: "eval of a computed string" };
    return { kind: "script", script: rest.map((w) => w.text).join(" ") };
  }
  if (SHELLS.has(name)) return unwrapShell(argv);
  if (name === "find") return unwrapFind(argv);
  if (name === "trap") return unwrapTrap(argv);
  if (name === "alias") return unwrapAlias(argv);

  const table = WRAPPERS[name];
  if (!table) return { kind: "none" };
  let i = 1;
  let positionals = table.positionals ?? 0;
  let replacing = false;
  let chdir = false;
  while (i < argv.length) {
    const w = argv[i]!;
    if (w.computed) return { kind: "opaque", reason: `${name} with a computed argument`, privileged: table.privileged };
    const t = w.text;
    if (t === "--") {
      i++;
      break;
    }
    if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
      if (isDangerousVariable(t.slice(0, t.indexOf("="))))
        return {
          kind: "opaque",
          reason: `env sets ${t.slice(0, t.indexOf("="))}, which changes what runs`,
          inner: [argv.slice(i + 1).filter((x) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(x.text))],
        };
      i++;
      continue;
    }
    if (t.startsWith("-") && t !== "-") {
      const [flag] = t.split("=");
      if (name === "xargs" && (flag === "-I" || flag === "-i" || flag === "--replace" || t.startsWith("-I")))
        replacing = true;
      if (
        (name === "env" && (flag === "-C" || flag === "--chdir" || /^-C./.test(t))) ||
        (name === "sudo" && (flag === "-D" || flag === "--chdir"))
      )
        chdir = true;
      if (name === "sudo" && /^-[^-]*[sie]/.test(t))
        return { kind: "opaque", reason: "sudo with a shell or an editor", privileged: true };
      if (table.withValue.includes(flag!)) {
        i += t.includes("=") ? 1 : 2;
        continue;
      }
      if (table.flags.includes(t)) {
        i++;
        continue;
      }
      // Attached values: `-n10`, `-uroot`, `-I{}`.
      if (table.withValue.some((o) => o.length === 2 && t.startsWith(o))) {
        i++;
        continue;
      }
      if (/^-\d+$/.test(t) && name === "nice") {
        i++;
        continue;
      }
      return { kind: "opaque", reason: `${name} option ${t} is not understood`, privileged: table.privileged };
    }
    if (name === "env" && t === "-") {
      i++;
      continue;
    }
    if (positionals > 0) {
      positionals--;
      i++;
      continue;
    }
    break;
  }
  let inner = argv.slice(i);
  if (inner.length === 0) return { kind: "argv", inner: [], privileged: table.privileged };
  if (replacing) return { kind: "opaque", reason: "xargs -I puts input in the middle of the command", inner: [inner] };
  // xargs appends its input as arguments: words nobody can see yet (`ls | xargs touch` writes whatever ls printed).
  if (name === "xargs") inner = [...inner, { text: "<input>", computed: true, shape: "\0" }];
  return { kind: "argv", inner: [inner], privileged: table.privileged, ...(chdir ? { chdir } : {}) };
}

function unwrapShell(argv: readonly Word[]): Unwrapped {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (w.computed) return { kind: "opaque", reason: "a shell with a computed argument" };
    if (w.text === "--" || !w.text.startsWith("-")) return { kind: "none" };
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(w.text)) {
      const script = argv[i + 1];
      if (!script) return { kind: "opaque", reason: "a shell -c without a script" };
      if (script.computed) return { kind: "opaque", reason: "a shell running a computed script" };
      return { kind: "script", script: script.text };
    }
    if (w.text === "-o" || w.text === "+o" || w.text === "-O" || w.text === "+O") i++;
  }
  return { kind: "none" };
}

/** `trap 'cmd' EXIT` runs cmd later, in this shell: it is decided as that command (issue 11 item 5). */
function unwrapTrap(argv: readonly Word[]): Unwrapped {
  let i = 1;
  while (i < argv.length && !argv[i]!.computed && /^-[lpP]+$/.test(argv[i]!.text)) i++;
  if (argv[i]?.text === "--" && !argv[i]!.computed) i++;
  const action = argv[i];
  if (!action) return { kind: "none" };
  if (action.computed) return { kind: "opaque", reason: "trap with a computed command" };
  if (action.text === "-" || action.text.trim() === "") return { kind: "none" };
  return { kind: "script", script: action.text };
}

/** `alias ls='rm -rf /'` makes `ls` run its value: each value is decided as the command it is. */
function unwrapAlias(argv: readonly Word[]): Unwrapped {
  const scripts: string[] = [];
  for (const w of argv.slice(1)) {
    const eq = w.text.indexOf("=");
    if (w.computed) {
      if (eq < 0 || /\$|`/.test(w.text.slice(eq + 1)) || /\$|`/.test(w.text.slice(0, eq)))
        return { kind: "opaque", reason: "alias with a computed value" };
    }
    if (eq > 0) scripts.push(w.text.slice(eq + 1));
  }
  return scripts.length ? { kind: "script", script: scripts.join("\n") } : { kind: "none" };
}

function unwrapFind(argv: readonly Word[]): Unwrapped {
  const inner: Word[][] = [];
  for (let i = 1; i < argv.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(argv[i]!.text)) continue;
    const start = i + 1;
    let end = start;
    while (end < argv.length && argv[end]!.text !== ";" && argv[end]!.text !== "+") end++;
    // `{}` is each path find finds: unknown until it runs.
    inner.push(
      argv
        .slice(start, end)
        .map((w) =>
          w.text.includes("{}") ? { text: w.text, computed: true, shape: w.text.replace(/\{\}/g, "\0") } : w,
        ),
    );
    i = end;
  }
  if (inner.length === 0) return { kind: "none" };
  return { kind: "argv", inner, note: "find -exec" };
}

/** Variables that change which program runs or what it loads. */
export function isDangerousVariable(name: string): boolean {
  return /^(PATH|IFS|ENV|BASH_ENV|BASH_FUNC_.*|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|CDPATH|GLOBIGNORE|LD_.*|DYLD_.*|NODE_OPTIONS|NODE_PATH|PYTHON.*|PERL5.*|PERLLIB|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|GIT_.*|npm_config_.*|NPM_CONFIG_.*|EDITOR|VISUAL|PAGER|HOME|TMPDIR|ZDOTDIR)$/.test(
    name,
  );
}
