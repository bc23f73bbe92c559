/**
 * Flag spellings for restrictive command rules. `rm -rf` is also written `rm -r -f`,
 * `rm -fr`, `rm -Rf` and `rm --recursive --force`; `git push --force` is also
 * `git push -f`, `git push origin +main` and `git push --force-with-lease`. A rule
 * that restricts must catch every spelling, so in generous mode both the pattern
 * and the command are read as: the positional words in order, plus a SET of flags
 * in one canonical spelling each. Allow rules never come here: they stay an exact
 * argv prefix, so an unusual spelling can lose an allow but never gain one.
 */
import { basename } from "node:path";
import type { Word } from "./parse-command.js";

/** How one program spells its flags: long synonyms and letters it reads in either case. */
interface FlagTable {
  long: Record<string, string>;
  foldCase: ReadonlySet<string>;
  /** `git push origin +main` forces the push: a word starting with `+` implies this flag. */
  plusImplies?: string;
}

const R = new Set(["r"]);
const TABLES: Record<string, FlagTable> = {
  rm: { long: { "--recursive": "-r", "--force": "-f" }, foldCase: R },
  cp: { long: { "--recursive": "-r", "--force": "-f" }, foldCase: R },
  chmod: { long: { "--recursive": "-r" }, foldCase: R },
  chown: { long: { "--recursive": "-r" }, foldCase: R },
  "git push": { long: { "--force": "-f", "--force-with-lease": "-f" }, foldCase: new Set(), plusImplies: "-f" },
};
const NONE: FlagTable = { long: {}, foldCase: new Set() };

/** One word of the command read generously: the texts it may be taken as. */
export interface ReadWord {
  texts: string[];
  computed: boolean;
  glob?: RegExp;
}

export interface FlagReading {
  /** Program first, then the words that are not flags, in order. */
  positional: ReadWord[];
  /** Every flag, in its canonical spelling. */
  flags: Set<string>;
  /** Some word is computed by the shell, so it could be any flag. */
  computed: boolean;
}

/** The flag table that applies to a rule: keyed by program, and for git by the subcommand the rule names. */
export function flagTable(pattern: readonly string[]): FlagTable {
  const program = basename(pattern[0] ?? "").toLowerCase();
  if (program === "git") return pattern.slice(1).includes("push") ? TABLES["git push"]! : NONE;
  return TABLES[program] ?? NONE;
}

const SHORT_CLUSTER = /^-[A-Za-z0-9]+$/;
const LONG = /^--[A-Za-z0-9][A-Za-z0-9-]*(=.*)?$/;

/** The canonical spelling of each flag in one word, or undefined when it is not a plain flag. */
function canonicalFlags(text: string, table: FlagTable): string[] | undefined {
  if (SHORT_CLUSTER.test(text)) {
    return [...text.slice(1)].map((c) => (table.foldCase.has(c.toLowerCase()) ? `-${c.toLowerCase()}` : `-${c}`));
  }
  if (LONG.test(text)) {
    const name = text.replace(/=.*$/s, "");
    return [table.long[name] ?? name];
  }
  return undefined;
}

/** A rule's pattern words, read the same way (flags with glob characters stay positional). */
export function readPattern(pattern: readonly string[], table: FlagTable): { positional: string[]; flags: string[] } {
  const positional: string[] = [pattern[0]!];
  const flags: string[] = [];
  let operands = false;
  for (const word of pattern.slice(1)) {
    if (word === "--") operands = true;
    const canonical = operands || /[*?[]/.test(word) ? undefined : canonicalFlags(word, table);
    if (canonical) flags.push(...canonical);
    else positional.push(word);
  }
  return { positional, flags };
}

export function readArgv(argv: readonly Word[], table: FlagTable): FlagReading {
  const positional: ReadWord[] = [
    { texts: [argv[0]!.text], computed: argv[0]!.computed, ...(argv[0]!.glob ? { glob: argv[0]!.glob } : {}) },
  ];
  const flags = new Set<string>();
  let computed = false;
  let operands = false;
  for (const word of argv.slice(1)) {
    if (word.computed) {
      computed = true;
      positional.push({ texts: [word.text], computed: true });
      continue;
    }
    if (word.text === "--") operands = true;
    const canonical = operands || word.glob ? undefined : canonicalFlags(word.text, table);
    if (canonical) {
      for (const f of canonical) flags.add(f);
      continue;
    }
    const texts = [word.text];
    if (table.plusImplies && word.text.length > 1 && word.text.startsWith("+")) {
      flags.add(table.plusImplies);
      texts.push(word.text.slice(1));
    }
    positional.push({ texts, computed: false, ...(word.glob ? { glob: word.glob } : {}) });
  }
  return { positional, flags, computed };
}
