/**
 * Deciding a command line: every command it would run (each part of `&&`, `;`, `|`,
 * each substitution, each wrapped program, each redirection as a file access) is
 * decided on its own, and the line gets the strictest part's tier.
 */
import { posix } from "node:path";
import { isControlPath } from "../boundary/control-paths.js";
import {
  fold,
  globCouldNameControl,
  inlineCodeNamesControl,
  personFolders,
  type Touch,
  touchesState,
} from "./control-words.js";
import { atLeast, builtIn, fromDefault, fromRules, strictestOf } from "./decisions.js";
import { argvMatches, commandPattern } from "./match-command.js";
import type { MatchMode } from "./match-mode.js";
import { resolvePath } from "./match-path.js";
import { MAX_NESTING, parseCommandLine, type Redirect, type Word } from "./parse-command.js";
import type { Decision, PermissionsDefaults, PolicyQuery, Rule } from "./types.js";
import { isDangerousVariable, type Unwrapped, unwrapCommand } from "./unwrap-command.js";
import { type WriteTarget, writeTargets } from "./write-targets.js";

export interface CommandContext {
  defaults: PermissionsDefaults;
  /** Rules whose tool pattern matches the query's tool. */
  rules: readonly Rule[];
  modeOf(rule: Rule): MatchMode;
  /** Decide another query; a redirection is decided as file.write / file.read. */
  decide(query: PolicyQuery): Decision;
  /** Absolute worksite root: where relative file names land. */
  root: string;
}

const KEYWORDS = new Set(["!", "{", "}", "if", "then", "elif", "else", "fi", "do", "done", "while", "until", "esac"]);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/;
const MAX_DEPTH = 8;

/**
 * Where relative redirections may land. `cd` moves them; since a `cd` may sit in a
 * subshell that does not last, every folder the line may be in is kept, and a
 * redirection is decided in each.
 */
interface Cwd {
  dirs: Set<string>;
  unknown: boolean;
  /** Functions defined on this line: calling one runs a body decided on its own. */
  functions: Set<string>;
}

export function decideCommandLine(ctx: CommandContext, query: PolicyQuery, line: string, depth = 0): Decision {
  const parsed = parseCommandLine(line);
  if (parsed.tooDeep)
    return builtIn(
      "forbidden",
      `built-in: \`${line.length > 80 ? `${line.slice(0, 80)}…` : line}\` nests substitutions more than ${MAX_NESTING} deep; worksite does not run what it cannot follow (write it as several simpler commands)`,
    );
  const functions = new Set(parsed.functions ?? []);
  for (const c of parsed.commands) {
    const argv = programArgv(c.words);
    if (argv[0]?.text === "function" && !argv[0].computed && argv[1] && !argv[1].computed) functions.add(argv[1].text);
  }
  const cwd: Cwd = { dirs: new Set(["."]), unknown: false, functions };
  const parts = parsed.commands.map((c) => {
    const d = decideSimple(ctx, query, c.words, c.redirects, depth, cwd);
    trackCd(programArgv(c.words), cwd);
    const prefixed = (parsed.commands.length > 1 || c.nested) && !d.reason.startsWith("`");
    return prefixed ? { ...d, reason: `in \`${c.text}\`: ${d.reason}` } : d;
  });
  let result = strictestOf(parts) ?? fromDefault(ctx.defaults, query.effect, `\`${line}\``);
  if (parsed.problems.length)
    result = atLeast(
      result,
      "confirm",
      `\`${line}\` cannot be fully analysed (${parsed.problems[0]}): a person must confirm it`,
    );
  const words = parsed.commands.flatMap((c) => [
    ...c.words,
    ...c.redirects.flatMap((r) => (r.target ? [r.target] : [])),
  ]);
  const folders = personFolders();
  const touches = words.map((w) => touchesState(w, folders)).filter((t): t is Touch => t !== undefined);
  const worst = touches.find((t) => t.tier === "forbidden") ?? touches[0];
  if (worst)
    result = atLeast(
      result,
      worst.tier,
      worst.tier === "forbidden"
        ? `built-in: shell commands may not touch control state: ${worst.why}`
        : `built-in: ${worst.why}, which holds control state: a person must confirm`,
    );
  return result;
}

function decideSimple(
  ctx: CommandContext,
  query: PolicyQuery,
  words: readonly Word[],
  redirects: readonly Redirect[],
  depth: number,
  cwd: Cwd,
): Decision {
  let i = 0;
  const risky: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    const m = w.computed ? null : ASSIGNMENT.exec(w.text);
    if (!m) break;
    if (isDangerousVariable(m[1]!)) risky.push(m[1]!);
  }
  while (i < words.length && !words[i]!.computed && KEYWORDS.has(words[i]!.text)) i++;
  // `function f { body; }`: the name is a definition, the body is commands.
  if (words[i]?.text === "function" && !words[i]!.computed && words[i + 1]) {
    i += 2;
    while (i < words.length && !words[i]!.computed && KEYWORDS.has(words[i]!.text)) i++;
  }
  const argv = words.slice(i);

  let main: Decision =
    argv.length > 0
      ? decideArgv(ctx, query, argv, depth, cwd)
      : builtIn("allow", redirects.length ? "a redirection alone" : "only sets shell variables");
  if (risky.length)
    main = atLeast(main, "confirm", `sets ${risky.join(", ")}, which changes what a command runs or loads`);
  const all = [main];
  for (const r of redirects) {
    const d = decideRedirect(ctx, r, cwd);
    if (d) all.push(d);
  }
  return strictestOf(all)!;
}

function decideArgv(ctx: CommandContext, query: PolicyQuery, argv: readonly Word[], depth: number, cwd: Cwd): Decision {
  const subject = `\`${argv.map((w) => (/[\s'"]/.test(w.text) ? JSON.stringify(w.text) : w.text)).join(" ")}\``;
  const matched = ctx.rules.filter((r) => r.specifier === undefined || ruleMatchesArgv(r, argv, ctx.modeOf(r)));
  // `cd sub && npm test`: moving into a folder of the worksite changes nothing by itself (redirections
  // after it are followed by trackCd), so it neither needs a rule nor blocks an allowed command after it.
  if (!matched.length && staysInside(argv)) return builtIn("allow", `${subject}: moves into a folder of the worksite`);
  const own = fromRules(matched, subject);
  const unwrapped: Unwrapped =
    depth < MAX_DEPTH ? unwrapCommand(argv) : { kind: "opaque", reason: "nested too deeply" };
  // A write no file rule speaks about does not undo a command rule that names that very file (`shell.run(rm -rf build)`).
  const named = new Set(
    matched.flatMap((r) => (r.tier === "allow" && r.specifier ? (commandPattern(r.specifier) ?? []).slice(1) : [])),
  );
  const writes = writeTargets(argv)
    .map((t) => {
      const d = decideWrite(ctx, t, cwd);
      return d && d.by === "default" && !t.word.computed && named.has(t.word.text) ? undefined : d;
    })
    .filter((d): d is Decision => d !== undefined);
  const inline = argv[0]!.computed ? undefined : inlineCodeNamesControl(argv, posix.basename(argv[0]!.text));
  const withWrites = (d: Decision) => {
    const w = strictestOf([d, ...writes.filter((x) => x.tier !== "allow")])!;
    return inline
      ? atLeast(
          w,
          "confirm",
          `${subject}: its code names ${inline}, a control file; worksite cannot tell whether it writes it, so a person must confirm`,
        )
      : w;
  };

  if (unwrapped.kind === "none") {
    const called = !argv[0]!.computed && cwd.functions.has(argv[0]!.text);
    const d =
      own ??
      (called
        ? builtIn("allow", `${subject}: calls a function defined on this line, whose body is decided on its own`)
        : fromDefault(ctx.defaults, query.effect, subject));
    return withWrites(
      argv[0]!.computed ? atLeast(d, "confirm", `${subject}: the program name is computed by the shell`) : d,
    );
  }

  const inner: Decision[] = [];
  if (unwrapped.kind === "script") inner.push(decideCommandLine(ctx, query, unwrapped.script, depth + 1));
  else {
    const innerCwd: Cwd =
      unwrapped.kind === "argv" && unwrapped.chdir ? { ...cwd, dirs: new Set(cwd.dirs), unknown: true } : cwd;
    for (const a of unwrapped.inner ?? [])
      if (a.length) inner.push(decideSimple(ctx, query, a, [], depth + 1, innerCwd));
  }

  // A rule naming the wrapper itself (`sudo apt-get update`) decides, but a rule
  // that restricts the inner command still applies.
  let d = own
    ? strictestOf([own, ...inner.filter((x) => x.by !== "default")])!
    : (strictestOf(inner) ?? fromDefault(ctx.defaults, query.effect, subject));
  if (inner.length && d !== own && !d.reason.startsWith(subject)) d = { ...d, reason: `${subject} runs ${d.reason}` };
  if (unwrapped.kind === "opaque") d = atLeast(d, "confirm", `${subject}: ${unwrapped.reason}`);
  if (unwrapped.privileged) d = atLeast(d, "confirm", `${subject}: runs with raised privileges`);
  return withWrites(d);
}

function staysInside(argv: readonly Word[]): boolean {
  const [program, dir, ...rest] = argv;
  if (!program || program.computed || program.text !== "cd" || !dir || rest.length) return false;
  if (dir.computed || dir.glob || dir.text.startsWith("/") || dir.text.startsWith("~") || dir.text === "-")
    return false;
  const normal = posix.normalize(dir.text);
  return normal !== ".." && !normal.startsWith("../") && !/\.worksite/i.test(normal);
}

function trackCd(argv: readonly Word[], cwd: Cwd): void {
  const program = argv[0];
  if (!program || program.computed || !["cd", "pushd", "popd"].includes(program.text)) return;
  const args = argv.slice(1).filter((w) => w.computed || !/^-[LPe@]+$/.test(w.text));
  const dir = args[0];
  if (program.text === "popd" || !dir || dir.computed || dir.glob || dir.text === "-" || dir.text.startsWith("~")) {
    cwd.unknown = true;
    return;
  }
  for (const d of [...cwd.dirs]) cwd.dirs.add(dir.text.startsWith("/") ? dir.text : posix.join(d, dir.text));
}

function decideRedirect(ctx: CommandContext, r: Redirect, cwd: Cwd): Decision | undefined {
  const t = r.target;
  if (!t || r.op === "<<" || r.op === "<<-" || r.op === "<<<") return undefined;
  if ((r.op === ">&" || r.op === "<&") && /^(\d+|-)$/.test(t.text)) return undefined;
  const write = r.op !== "<";
  if (write) return decideWrite(ctx, { word: t, how: `redirection ${r.op}` }, cwd);
  if (t.computed || t.glob)
    return builtIn("confirm", `redirection ${r.op} ${t.text}: the file name is computed by the shell`);
  if (/^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/.test(t.text)) return undefined;
  const tool = write ? "file.write" : "file.read";
  const absolute = t.text.startsWith("/");
  if (!absolute && cwd.unknown)
    return builtIn(
      "confirm",
      `redirection ${r.op} ${t.text}: after a cd worksite cannot follow, the file it names is unknown`,
    );
  const targets = absolute ? [t.text] : [...cwd.dirs].map((d) => posix.join(d, t.text));
  const d = strictestOf(
    targets.map((target) => ctx.decide({ tool, target, effect: write ? "write" : "read", targetKind: "path" })),
  )!;
  // Reading a file is fine wherever file.read may run; only a stricter answer counts.
  if (!write && (d.tier === "allow" || d.tier === "read-only" || d.tier === "draft")) return undefined;
  return { ...d, reason: `redirection ${r.op} ${t.text} is a ${tool}: ${d.reason}` };
}

/**
 * A file a command writes (a redirection, `--output=F`, `tee F`, `cp … F`),
 * decided as `file.write` of it in every folder the line may be in. Control
 * paths (the three worksite files, PROGRESS.md, .worksite/, artifacts/, .git)
 * are refused whatever the rules say: only a person edits them, by hand.
 */
function decideWrite(ctx: CommandContext, target: WriteTarget, cwd: Cwd): Decision | undefined {
  const t = target.word;
  const subject = `${target.how} ${t.text}`;
  if (t.glob) {
    const control = globCouldNameControl(t);
    if (control)
      return builtIn(
        "forbidden",
        `built-in: ${subject} could write ${control}, a control file only a person edits by hand`,
      );
  }
  if (t.computed || t.glob) return builtIn("confirm", `${subject}: the file name is computed by the shell`);
  if (/^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/.test(t.text) || t.text === "-" || t.text === "") return undefined;
  const absolute = t.text.startsWith("/");
  if (!absolute && cwd.unknown)
    return builtIn("confirm", `${subject}: after a cd worksite cannot follow, the file it names is unknown`);
  const targets = absolute ? [t.text] : [...cwd.dirs].map((d) => posix.join(d, t.text));
  const d = strictestOf(
    targets.map((path) => ctx.decide({ tool: "file.write", target: path, effect: "write", targetKind: "path" })),
  )!;
  // The floor (boundary/floor.ts) refuses a control path itself and says how a person edits it.
  if (d.by === "floor") return { ...d, reason: `${subject} is a file.write: ${d.reason}` };
  for (const path of targets) {
    const control = controlPathOf(path, ctx.root, target.recursive === true || target.unknownNames === true);
    if (control === "" && !target.recursive)
      return builtIn(
        "confirm",
        `built-in: ${subject} writes files whose names worksite cannot see into the worksite's root, where the control files are: a person must confirm`,
      );
    if (control !== undefined)
      return builtIn(
        "forbidden",
        `built-in: ${subject} writes ${control || "the whole worksite"}, ${control ? "a control file only a person edits by hand" : "which holds the control files only a person edits by hand"}`,
      );
  }
  return {
    ...d,
    reason: `${subject} is a file.write${target.recursive ? " of everything below it" : ""}: ${d.reason}`,
  };
}

/** The control path a write to `path` would touch (read both lexically and through symlinks), or undefined. */
function controlPathOf(path: string, root: string, recursive: boolean): string | undefined {
  const resolved = resolvePath(path, root);
  for (const rel of [resolved.relLexical, resolved.relReal]) {
    if (rel === undefined) continue;
    const folded = fold(rel);
    if (isControlPath(folded)) return rel;
    if (recursive && (folded === "" || folded === ".")) return "";
  }
  return undefined;
}

const patterns = new WeakMap<Rule, string[] | null>();

export function ruleMatchesArgv(rule: Rule, argv: readonly Word[], mode: MatchMode): boolean {
  if (rule.specifier === undefined) return true;
  let pattern = patterns.get(rule);
  if (pattern === undefined) {
    pattern = commandPattern(rule.specifier) ?? null;
    patterns.set(rule, pattern);
  }
  return pattern !== null && argvMatches(pattern, argv, mode);
}

/** Drop leading `NAME=value` words and shell keywords: what remains is the program and its arguments. */
export function programArgv(words: readonly Word[]): Word[] {
  let i = 0;
  while (i < words.length && !words[i]!.computed && (ASSIGNMENT.test(words[i]!.text) || KEYWORDS.has(words[i]!.text)))
    i++;
  return words.slice(i);
}
