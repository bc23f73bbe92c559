/**
 * Deciding a command line: every command it would run (each part of `&&`, `;`, `|`,
 * each substitution, each wrapped program, each redirection as a file access) is
 * decided on its own, and the line gets the strictest part's tier.
 */
import { posix } from "node:path";
import { atLeast, builtIn, fromDefault, fromRules, strictestOf } from "./decisions.js";
import { globToRegExp } from "./glob.js";
import { argvMatches, commandPattern } from "./match-command.js";
import type { MatchMode } from "./match-mode.js";
import { parseCommandLine, type Redirect, type Word } from "./parse-command.js";
import type { Decision, PermissionsDefaults, PolicyQuery, Rule } from "./types.js";
import { isDangerousVariable, type Unwrapped, unwrapCommand } from "./unwrap-command.js";

export interface CommandContext {
  defaults: PermissionsDefaults;
  /** Rules whose tool pattern matches the query's tool. */
  rules: readonly Rule[];
  modeOf(rule: Rule): MatchMode;
  /** Decide another query; a redirection is decided as file.write / file.read. */
  decide(query: PolicyQuery): Decision;
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
}

export function decideCommandLine(ctx: CommandContext, query: PolicyQuery, line: string, depth = 0): Decision {
  const parsed = parseCommandLine(line);
  const cwd: Cwd = { dirs: new Set(["."]), unknown: false };
  const parts = parsed.commands.map((c) => {
    const d = decideSimple(ctx, query, c.words, c.redirects, depth, cwd);
    trackCd(programArgv(c.words), cwd);
    const prefixed = (parsed.commands.length > 1 || c.nested) && !d.reason.startsWith("`");
    return prefixed ? { ...d, reason: `in \`${c.text}\`: ${d.reason}` } : d;
  });
  let result = strictestOf(parts) ?? fromDefault(ctx.defaults, query.effect, `\`${line}\``);
  if (parsed.problems.length) result = atLeast(result, "confirm", `\`${line}\` cannot be fully analysed (${parsed.problems[0]}): a person must confirm it`);
  const words = parsed.commands.flatMap((c) => [...c.words, ...c.redirects.flatMap((r) => (r.target ? [r.target] : []))]);
  if (words.some(namesRuntimeState))
    result = atLeast(result, "forbidden", "built-in: shell commands may not touch .worksite/ (it holds approvals and the audit log)");
  return result;
}

function decideSimple(ctx: CommandContext, query: PolicyQuery, words: readonly Word[], redirects: readonly Redirect[], depth: number, cwd: Cwd): Decision {
  let i = 0;
  const risky: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    const m = w.computed ? null : ASSIGNMENT.exec(w.text);
    if (!m) break;
    if (isDangerousVariable(m[1]!)) risky.push(m[1]!);
  }
  while (i < words.length && !words[i]!.computed && KEYWORDS.has(words[i]!.text)) i++;
  const argv = words.slice(i);

  let main: Decision =
    argv.length > 0 ? decideArgv(ctx, query, argv, depth, cwd) : builtIn("allow", redirects.length ? "a redirection alone" : "only sets shell variables");
  if (risky.length) main = atLeast(main, "confirm", `sets ${risky.join(", ")}, which changes what a command runs or loads`);
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
  const unwrapped: Unwrapped = depth < MAX_DEPTH ? unwrapCommand(argv) : { kind: "opaque", reason: "nested too deeply" };

  if (unwrapped.kind === "none") {
    const d = own ?? fromDefault(ctx.defaults, query.effect, subject);
    return argv[0]!.computed ? atLeast(d, "confirm", `${subject}: the program name is computed by the shell`) : d;
  }

  const inner: Decision[] = [];
  if (unwrapped.kind === "script") inner.push(decideCommandLine(ctx, query, unwrapped.script, depth + 1));
  else for (const a of unwrapped.inner ?? []) if (a.length) inner.push(decideSimple(ctx, query, a, [], depth + 1, cwd));

  // A rule naming the wrapper itself (`sudo apt-get update`) decides, but a rule
  // that restricts the inner command still applies.
  let d = own
    ? strictestOf([own, ...inner.filter((x) => x.by !== "default")])!
    : (strictestOf(inner) ?? fromDefault(ctx.defaults, query.effect, subject));
  if (inner.length && d !== own && !d.reason.startsWith(subject)) d = { ...d, reason: `${subject} runs ${d.reason}` };
  if (unwrapped.kind === "opaque") d = atLeast(d, "confirm", `${subject}: ${unwrapped.reason}`);
  if (unwrapped.privileged) d = atLeast(d, "confirm", `${subject}: runs with raised privileges`);
  return d;
}

function staysInside(argv: readonly Word[]): boolean {
  const [program, dir, ...rest] = argv;
  if (!program || program.computed || program.text !== "cd" || !dir || rest.length) return false;
  if (dir.computed || dir.glob || dir.text.startsWith("/") || dir.text.startsWith("~") || dir.text === "-") return false;
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
  if (t.computed || t.glob) return builtIn("confirm", `redirection ${r.op} ${t.text}: the file name is computed by the shell`);
  if (/^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/.test(t.text)) return undefined;
  const write = r.op !== "<";
  const tool = write ? "file.write" : "file.read";
  const absolute = t.text.startsWith("/");
  if (!absolute && cwd.unknown) return builtIn("confirm", `redirection ${r.op} ${t.text}: after a cd worksite cannot follow, the file it names is unknown`);
  const targets = absolute ? [t.text] : [...cwd.dirs].map((d) => posix.join(d, t.text));
  const d = strictestOf(targets.map((target) => ctx.decide({ tool, target, effect: write ? "write" : "read", targetKind: "path" })))!;
  // Reading a file is fine wherever file.read may run; only a stricter answer counts.
  if (!write && (d.tier === "allow" || d.tier === "read-only" || d.tier === "draft")) return undefined;
  return { ...d, reason: `redirection ${r.op} ${t.text} is a ${tool}: ${d.reason}` };
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
  while (i < words.length && !words[i]!.computed && (ASSIGNMENT.test(words[i]!.text) || KEYWORDS.has(words[i]!.text))) i++;
  return words.slice(i);
}

/** Does this word name `.worksite` (literally, in another case or width, or by a glob that could expand to it)? */
function namesRuntimeState(word: Word): boolean {
  const folded = word.text.normalize("NFKC").replace(/\p{Cf}/gu, "");
  if (/\.worksite/i.test(folded)) return true;
  if (!word.glob) return false;
  return folded.split("/").some((part) => /[*?[]/.test(part) && globToRegExp(part.replace(/\[[^\]]*\]/g, "?"), { caseInsensitive: true }).test(".worksite"));
}
