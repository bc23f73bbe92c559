/**
 * A small POSIX-shell reader, enough to find every command a line would run.
 * It is deliberately stricter than a shell where it is unsure: anything it cannot
 * follow is reported as a problem (the policy then asks for confirmation), and
 * text it cannot rule out as a command (a `#` comment, a here-document body) is
 * read as commands anyway. Commands inside `$(…)`, backticks and `<(…)` are
 * returned as commands of their own.
 */
import { escapeRegExp } from "./glob.js";

export interface Word {
  /** The value after quote removal; computed parts appear as written. */
  text: string;
  /** Part of it is computed by the shell ($VAR, $(…), `…`, $'…', ~, {a,b}): it could be anything. */
  computed: boolean;
  /** Unquoted glob characters: the names it could expand to. */
  glob?: RegExp;
  /**
   * Set when part of the word is unknown until the shell runs: the word with
   * each variable or substitution as "\0", each glob wildcard or brace group
   * as "\u0002" (the shell expands those to names that exist), and a leading
   * `~`, `$HOME` or `${HOME}` as "\u0001" (the home folder). Lets the policy
   * ask what the word could still name.
   */
  shape?: string;
}

export interface Redirect {
  /** `>`, `>>`, `>|`, `<`, `<>`, `&>`, `&>>`, `<<`, `<<<`, `>&`, `<&`. */
  op: string;
  target?: Word;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  text: string;
  /** Came from a `$(…)`, backtick or `<(…)` substitution. */
  nested: boolean;
}

export interface ParsedCommandLine {
  commands: SimpleCommand[];
  /** Things the reader could not follow; any problem means the line is not understood. */
  problems: string[];
  /** Substitutions nest deeper than MAX_NESTING: the reader stopped there instead of recursing on. */
  tooDeep?: boolean;
  /** Names given a function body on this line (`f() { …; }`, `function f { …; }`): their bodies are commands here too. */
  functions?: string[];
}

interface State {
  src: string;
  commands: SimpleCommand[];
  problems: string[];
  /** How many substitutions deep the reader is. */
  depth: number;
  tooDeep: boolean;
  functions: string[];
}

/**
 * No real command nests substitutions this deep; a line that does is refused
 * rather than followed, so reading it can never exhaust the stack (issue 11:
 * 1,000 nested `$(` must fail closed with a message, not a RangeError).
 */
export const MAX_NESTING = 32;

export function parseCommandLine(src: string, depth = 0): ParsedCommandLine {
  const state: State = { src, commands: [], problems: [], depth, tooDeep: false, functions: [] };
  const end = parseList(state, 0, undefined, false);
  if (end < src.length) state.problems.push(`unexpected text at ${end}`);
  const parsed: ParsedCommandLine = { commands: state.commands, problems: state.problems };
  if (state.tooDeep) parsed.tooDeep = true;
  if (state.functions.length) parsed.functions = state.functions;
  return parsed;
}

/** Stop reading: the rest of the line is nested too deeply to follow. */
function giveUp(state: State): number {
  state.tooDeep = true;
  if (!state.problems.includes(`substitutions nested more than ${MAX_NESTING} deep`))
    state.problems.push(`substitutions nested more than ${MAX_NESTING} deep`);
  return state.src.length;
}

/** Parse commands from `i` until `stop` (")") or the end; returns the index after the stop. */
function parseList(state: State, start: number, stop: ")" | undefined, nested: boolean): number {
  const { src } = state;
  let i = start;
  let depth = 0;
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let cmdStart = i;

  const endCommand = (at: number) => {
    if (words.length || redirects.length)
      state.commands.push({ words, redirects, text: src.slice(cmdStart, at).trim(), nested });
    words = [];
    redirects = [];
  };

  while (i < src.length) {
    const ch = src[i]!;
    if (ch === " " || ch === "\t") {
      i++;
      continue;
    }
    if (ch === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (ch === "\n" || ch === ";" || ch === "|" || (ch === "&" && src[i + 1] !== ">")) {
      endCommand(i);
      i++;
      if ((ch === "|" || ch === "&" || ch === ";") && (src[i] === ch || (ch === "|" && src[i] === "&"))) i++;
      cmdStart = i;
      continue;
    }
    if (ch === "(") {
      // `name() …`: a function definition; the name is not a command, the body that follows is.
      const close = /^\(\s*\)/.exec(src.slice(i));
      const named =
        words.length === 1 ? words[0]! : words.length === 2 && words[0]!.text === "function" ? words[1]! : undefined;
      if (close && named && !named.computed && !words[0]!.computed && !redirects.length) {
        state.functions.push(named.text);
        words = [];
        i += close[0].length;
        cmdStart = i;
        continue;
      }
      endCommand(i);
      depth++;
      i++;
      cmdStart = i;
      continue;
    }
    if (ch === ")") {
      endCommand(i);
      i++;
      cmdStart = i;
      if (depth > 0) depth--;
      else if (stop === ")") return i;
      else state.problems.push("unbalanced )");
      continue;
    }
    if (ch === "<" || ch === ">" || (ch === "&" && src[i + 1] === ">")) {
      i = readRedirect(state, i, redirects, words);
      continue;
    }
    const read = readWord(state, i);
    // `2>file`: digits straight before a redirection are a file descriptor, not a word.
    if (/^\d+$/.test(src.slice(i, read.end)) && (src[read.end] === ">" || src[read.end] === "<")) {
      i = readRedirect(state, read.end, redirects, words);
      continue;
    }
    words.push(read.word);
    i = read.end;
  }
  endCommand(i);
  if (stop && !state.tooDeep) state.problems.push("unterminated substitution");
  if (depth > 0) state.problems.push("unbalanced (");
  return i;
}

function readRedirect(state: State, at: number, redirects: Redirect[], words: Word[]): number {
  const { src } = state;
  let i = at;
  if ((src[i] === "<" || src[i] === ">") && src[i + 1] === "(") {
    // Process substitution: its commands run; the word it leaves is a /dev/fd path.
    i = nestedList(state, i + 2);
    words.push({ text: "<(…)", computed: true });
    return i;
  }
  const op = /^(&>>|&>|>>|>\||>&|>|<<<|<<-|<<|<>|<&|<)/.exec(src.slice(i))![0];
  i += op.length;
  while (src[i] === " " || src[i] === "\t") i++;
  if (op === "<<" || op === "<<-") state.problems.push("here-document");
  if (i >= src.length || /[\n;|&()<>]/.test(src[i]!)) {
    state.problems.push(`redirection ${op} without a target`);
    redirects.push({ op });
    return i;
  }
  const read = readWord(state, i);
  redirects.push({ op, target: read.word });
  return read.end;
}

/** Read one word starting at `start` (not at whitespace or an operator). */
function readWord(state: State, start: number): { word: Word; end: number } {
  const { src } = state;
  let i = start;
  let text = "";
  let re = "";
  let computed = false;
  let globbed = false;
  let brace = false;
  let shape = "";
  const lit = (s: string) => {
    text += s;
    re += escapeRegExp(s);
    shape += s;
  };
  const wild = (s: string) => {
    // `$HOME` or `${HOME}` first in the word is the home folder, as `~` is.
    const home = text === "" && /^\$(?:HOME|\{HOME\})$/.test(s);
    text += s;
    re += ".*";
    shape += home ? "\u0001" : "\0";
    computed = true;
  };

  while (i < src.length) {
    const ch = src[i]!;
    if (/[ \t\n;|&()<>]/.test(ch)) break;
    if (ch === "\\") {
      if (src[i + 1] === "\n") i += 2;
      else {
        lit(src[i + 1] ?? "");
        i += 2;
      }
      continue;
    }
    if (ch === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) {
        state.problems.push("unterminated '");
        lit(src.slice(i + 1));
        i = src.length;
        break;
      }
      lit(src.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    if (ch === '"' || (ch === "$" && src[i + 1] === '"')) {
      i = readDoubleQuoted(state, ch === "$" ? i + 2 : i + 1, lit, wild);
      continue;
    }
    if (ch === "$" || ch === "`") {
      const end = expansionAt(state, i, wild);
      if (end === i) lit(ch);
      i = Math.max(end, i + 1);
      continue;
    }
    if (ch === "~" && i === start) {
      text += "~";
      re += ".*";
      shape += "\u0001";
      computed = true;
      i++;
      continue;
    }
    if (ch === "*" || ch === "?") {
      text += ch;
      re += ch === "*" ? ".*" : ".";
      shape += "\u0002";
      globbed = true;
      i++;
      continue;
    }
    if (ch === "[") {
      const close = src.indexOf("]", i + 2);
      if (close > 0 && !/[ \t\n;|&()<>]/.test(src.slice(i, close))) {
        text += src.slice(i, close + 1);
        re += ".";
        shape += "\u0002";
        globbed = true;
        i = close + 1;
        continue;
      }
    }
    if (ch === "{") brace = true;
    if (ch === "}" && brace) computed = true;
    lit(ch);
    i++;
  }
  const word: Word = { text, computed };
  if (globbed && !computed) word.glob = new RegExp(`^${re}$`, "su");
  // `{a,b}` could be any of its parts: unknown in the shape.
  if (brace && computed) shape = shape.replace(/\{[^{}]*,[^{}]*\}/g, "\u0002");
  if (computed || globbed) word.shape = shape;
  return { word, end: i };
}

/** A `$…` or backtick expansion at `i` becomes a part of the word the shell computes; returns where it ends (`i` for a plain `$`). */
function expansionAt(state: State, i: number, wild: (s: string) => void): number {
  const end = readExpansion(state, i);
  if (end > i) wild(state.src.slice(i, end));
  return end;
}

function readDoubleQuoted(state: State, start: number, lit: (s: string) => void, wild: (s: string) => void): number {
  const { src } = state;
  let i = start;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '"') return i + 1;
    if (ch === "\\" && /[$`"\\\n]/.test(src[i + 1] ?? "")) {
      if (src[i + 1] !== "\n") lit(src[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === "$" || ch === "`") {
      const end = expansionAt(state, i, wild);
      if (end > i) {
        i = end;
        continue;
      }
    }
    lit(ch);
    i++;
  }
  state.problems.push('unterminated "');
  return i;
}

/** The commands of a `$(…)` or `<(…)`, one level deeper. */
function nestedList(state: State, start: number): number {
  if (state.depth >= MAX_NESTING) return giveUp(state);
  state.depth++;
  const end = parseList(state, start, ")", true);
  state.depth--;
  return end;
}

/** `$name`, `${…}`, `$(…)`, `$'…'`, `` `…` ``: returns the index after it, or `i` when it is a plain `$`. */
function readExpansion(state: State, i: number): number {
  const { src } = state;
  const next = src[i + 1] ?? "";
  if (src[i] === "`") {
    let j = i + 1;
    let inner = "";
    while (j < src.length && src[j] !== "`") {
      if (src[j] === "\\" && /[`$\\]/.test(src[j + 1] ?? "")) {
        inner += src[j + 1];
        j += 2;
      } else inner += src[j++];
    }
    if (j >= src.length) state.problems.push("unterminated `");
    if (state.depth >= MAX_NESTING) return giveUp(state);
    const parsed = parseCommandLine(inner, state.depth + 1);
    for (const c of parsed.commands) state.commands.push({ ...c, nested: true });
    for (const p of parsed.problems) state.problems.push(p);
    if (parsed.tooDeep) state.tooDeep = true;
    return Math.min(j + 1, src.length);
  }
  if (next === "(") return nestedList(state, i + 2);
  if (next === "'") {
    // ANSI-C quoting ($'\x72m' is rm): treated as computed rather than decoded.
    let j = i + 2;
    while (j < src.length && src[j] !== "'") j += src[j] === "\\" ? 2 : 1;
    if (j >= src.length) state.problems.push("unterminated $'");
    return Math.min(j + 1, src.length);
  }
  if (next === "{") {
    // ${x:-$(cmd)} runs cmd: scan the braces, parsing substitutions inside.
    if (state.depth >= MAX_NESTING) return giveUp(state);
    state.depth++;
    let j = i + 2;
    let depth = 1;
    while (j < src.length && depth > 0) {
      const c = src[j]!;
      if (c === "\\") j += 2;
      else if (c === "$" || c === "`") {
        const after = readExpansion(state, j);
        j = after > j ? after : j + 1;
      } else {
        if (c === "{") depth++;
        if (c === "}") depth--;
        j++;
      }
    }
    state.depth--;
    if (depth > 0 && !state.tooDeep) state.problems.push("unterminated ${");
    return j;
  }
  if (/[A-Za-z_]/.test(next)) {
    let j = i + 1;
    while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
    return j;
  }
  if (/[0-9@*#?$!-]/.test(next)) return i + 2;
  return i;
}
