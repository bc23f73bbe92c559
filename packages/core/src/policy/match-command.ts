/**
 * Command rules: `shell.run(npm test)` is an argv prefix. `npm test -- --watch`
 * matches, `npm testx` and `npm install` do not. Pattern words may hold `*`
 * (any characters inside one word); a pattern word `*` is any one word.
 * Commands are case-sensitive for allow rules; restrictive rules also match
 * other cases and a program given by path (`/bin/rm` for `rm`), because some
 * systems resolve those to the same program, and read flags as a set in any
 * spelling (`rm -r -f`, `rm --recursive --force` for `rm -rf`; match-flags.ts).
 */
import { basename } from "node:path";
import { globToRegExp } from "./glob.js";
import { flagTable, type ReadWord, readArgv, readPattern } from "./match-flags.js";
import type { MatchMode } from "./match-mode.js";
import { parseCommandLine, type Word } from "./parse-command.js";

/** The words of a rule's command pattern, or undefined when it is not one plain command. */
export function commandPattern(spec: string): string[] | undefined {
  const parsed = parseCommandLine(spec);
  if (parsed.problems.length || parsed.commands.length !== 1) return undefined;
  const [command] = parsed.commands;
  if (command!.redirects.length || command!.words.some((w) => w.computed)) return undefined;
  return command!.words.map((w) => w.text);
}

export function argvMatches(pattern: readonly string[], argv: readonly Word[], mode: MatchMode): boolean {
  if (pattern.length === 0) return true;
  if (matchFrom(pattern, 0, argv, 0, mode)) return true;
  return mode === "generous" && argv.length > 0 && matchesAnySpelling(pattern, argv);
}

/**
 * Generous only: the same rule with flags compared as sets in one spelling
 * (`-rf` ≡ `-r -f` ≡ `-fr` ≡ `--recursive --force` for rm; see match-flags.ts).
 */
function matchesAnySpelling(pattern: readonly string[], argv: readonly Word[]): boolean {
  const table = flagTable(pattern);
  const want = readPattern(pattern, table);
  const have = readArgv(argv, table);
  if (!have.computed && want.flags.some((f) => !have.flags.has(f))) return false;
  const words: Word[][] = have.positional.map((r: ReadWord) =>
    r.texts.map((text) => ({ text, computed: r.computed, ...(r.glob ? { glob: r.glob } : {}) })),
  );
  return positionalFrom(want.positional, 0, words, 0);
}

/** matchFrom over words that each have several readings (`+main` is also `main`). */
function positionalFrom(pattern: readonly string[], p: number, words: readonly Word[][], a: number): boolean {
  if (p === pattern.length) return true;
  const readings = words[a];
  if (readings === undefined) return false;
  if (readings[0]!.computed) {
    for (let take = 0; take <= pattern.length - p; take++)
      if (positionalFrom(pattern, p + take, words, a + 1)) return true;
    return false;
  }
  if (
    readings.some((w) => wordMatches(pattern[p]!, w, p === 0, "generous")) &&
    positionalFrom(pattern, p + 1, words, a + 1)
  )
    return true;
  return p > 0 && positionalFrom(pattern, p, words, a + 1);
}

/**
 * Allow rules: an exact argv prefix. Restrictive rules: the program must match and
 * the other pattern words must appear in order anywhere after it, so options put
 * in between (`git push origin main --force`, `git -C . push --force`) do not
 * dodge `git push --force`.
 */
function matchFrom(pattern: readonly string[], p: number, argv: readonly Word[], a: number, mode: MatchMode): boolean {
  if (p === pattern.length) return true;
  const word = argv[a];
  if (word === undefined) return false;
  if (word.computed) {
    if (mode === "strict") return false;
    // A computed word could expand to no words, one, or several.
    for (let take = 0; take <= pattern.length - p; take++)
      if (matchFrom(pattern, p + take, argv, a + 1, mode)) return true;
    return false;
  }
  if (wordMatches(pattern[p]!, word, p === 0, mode) && matchFrom(pattern, p + 1, argv, a + 1, mode)) return true;
  return mode === "generous" && p > 0 && matchFrom(pattern, p, argv, a + 1, mode);
}

function wordMatches(pattern: string, word: Word, isProgram: boolean, mode: MatchMode): boolean {
  const re = globToRegExp(pattern, { caseInsensitive: mode === "generous" });
  if (re.test(word.text)) return true;
  if (mode === "strict") return false;
  if (word.glob?.test(pattern)) return true;
  if (isProgram && !pattern.includes("/")) {
    const base = basename(word.text);
    if (re.test(base)) return true;
    if (word.glob && globToRegExp(base, { caseInsensitive: true }).test(pattern)) return true;
  }
  return false;
}
