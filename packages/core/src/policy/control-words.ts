/**
 * Could a word of a command line name control state? Literal names are easy;
 * the tricks are quoted patterns (`find -path '*orksite*'`), globs (`.w*`),
 * braces (`.{w,x}orksite`), variables (`${a}orksite`, `.w$x`) and the home
 * folder (`~`, `$HOME`). Issue 11 item 5: a word that could name a control path
 * is decided as touching it. Where the word is certain (literal, a glob, a
 * quoted pattern a tool will expand), that is forbidden; where a variable
 * decides, a person must confirm.
 */
import { homedir } from "node:os";
import { basename, join, posix } from "node:path";
import { isControlPath } from "../boundary/control-paths.js";
import { personControlFolders } from "../boundary/person-folders.js";
import { sealKeyPath } from "../gate/person-seal.js";
import { escapeRegExp, globToRegExp } from "./glob.js";
import type { Word } from "./parse-command.js";

export interface Touch {
  tier: "forbidden" | "confirm";
  why: string;
}

/** Invisible and width tricks fold away, as some file systems fold them. */
export const fold = (s: string) => s.normalize("NFKC").replace(/\p{Cf}/gu, "");

/** The person's control folders: where the environment puts them, and the default places. */
export function personFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = homedir();
  return [
    ...new Set([
      ...personControlFolders(env),
      join(home, ".config", "worksite"),
      join(home, ".local", "state", "worksite"),
    ]),
  ];
}

const STATE_PROBES = [
  ".worksite",
  "./.worksite",
  ".worksite/approvals",
  "./.worksite/approvals/x.json",
  ".worksite/audit.jsonl",
  "./.worksite/audit.jsonl",
];
/** Worksite-relative names a glob in a write position must not be able to reach. */
const CONTROL_PROBES = [
  "THREAD.md",
  "GOAL.md",
  "PERMISSIONS.md",
  "PROGRESS.md",
  ".worksite",
  ".worksite/x",
  "artifacts",
  "artifacts/index.json",
  ".git",
  ".git/config",
  ".gitmodules",
];

/** Characters the word fixes (dots count: `.w$x` fixes two). */
const literalChars = (s: string) => s.replace(/[\0\u0001\u0002/*?[\]]/g, "").length;

/** The shape with the home folder put in. */
function expandHome(shape: string): string {
  return shape.startsWith("\u0001") ? homedir() + shape.slice(1) : shape.replace(/\u0001/g, "\0");
}

function shapeRegExp(shape: string, unknown: string): RegExp {
  return new RegExp(
    `^${shape
      .split(/[\0\u0002]/)
      .map(escapeRegExp)
      .join(unknown)}$`,
    "iu",
  );
}

function underFolder(path: string, folders: readonly string[]): string | undefined {
  const p = posix.normalize(path);
  return folders.find((f) => p === f || p.startsWith(`${f}/`));
}

const personHit = (folder: string): Touch => ({
  tier: "forbidden",
  why: `names ${folder}, the person's control folder (seal key, approvals, audit anchors)`,
});

/**
 * The ends of the person's folders a relative path could reach them by (`cd ~ && cat
 * .config/worksite/approval.key`, `$(…)/worksite/approval.key`): each folder's last two
 * segments, and the key file inside its folder.
 */
const tailCache = new Map<string, RegExp[]>();
function personTails(folders: readonly string[]): RegExp[] {
  const key = basename(sealKeyPath());
  const id = `${key}\0${folders.join("\0")}`;
  const hit = tailCache.get(id);
  if (hit) return hit;
  const made = folders.flatMap((f) => {
    const segs = f.split("/").filter(Boolean);
    const tails = [segs.slice(-2).join("/"), `${segs.at(-1)}/${key}`];
    return tails.filter((t) => t.includes("/")).map((t) => new RegExp(`(?:^|/)${escapeRegExp(t)}(?:/|$)`, "i"));
  });
  tailCache.set(id, made);
  return made;
}

/** Does this word, wherever it stands, name (or could it name) `.worksite/` or the person's control folders? */
export function touchesState(word: Word, folders: readonly string[]): Touch | undefined {
  return directly(word, folders) ?? relatively(word, folders);
}

/** Relative spellings of the person's folders: certain when the word is literal, a person decides when a variable leads. */
function relatively(word: Word, folders: readonly string[]): Touch | undefined {
  const text = fold(word.text);
  const literalParts = word.shape ? fold(word.shape).split(/[\0\u0001\u0002]/) : [text];
  if (personTails(folders).some((re) => literalParts.some((p) => re.test(p))))
    return {
      tier: word.computed ? "confirm" : "forbidden",
      why: `${word.text} could name the person's control folder (seal key, approvals, audit anchors)`,
    };
  const keyName = basename(sealKeyPath());
  if (!word.computed && (text === keyName || text.endsWith(`/${keyName}`)))
    return { tier: "confirm", why: `${word.text} has the name of the person's seal key` };
  return undefined;
}

function directly(word: Word, folders: readonly string[]): Touch | undefined {
  const text = fold(word.text);
  if (/\.worksite/i.test(text)) return { tier: "forbidden", why: "names .worksite/ (approvals and the audit log)" };
  if (word.glob && globNamesState(text)) return { tier: "forbidden", why: `${word.text} could expand to .worksite/` };
  const personProbes = folders.flatMap((f) => [f, `${f}/approval.key`, `${f}/x`]);

  if (!word.shape) {
    // Literal: a path, or the value of `--opt=/path` / `if=/path`.
    for (const candidate of [text, ...text.split("=").slice(1)]) {
      const hit = candidate.startsWith("/") ? underFolder(candidate, folders) : undefined;
      if (hit) return personHit(hit);
    }
    // A pattern a tool expands itself (`find -path '*orksite*'`, `ls '.w*'`).
    if (/[*?[]/.test(text) && literalChars(text) >= 1) {
      const re = globToRegExp(text, { caseInsensitive: true });
      if (STATE_PROBES.some((p) => re.test(p)))
        return { tier: "forbidden", why: `the pattern ${word.text} matches .worksite/` };
      if (personProbes.some((p) => re.test(p)))
        return { tier: "forbidden", why: `the pattern ${word.text} matches the person's control folder` };
    }
    return undefined;
  }

  const shape = expandHome(fold(word.shape));
  if (!/[\0\u0002]/.test(shape)) {
    const hit = shape.startsWith("/") ? underFolder(shape, folders) : undefined;
    return hit ? personHit(hit) : undefined;
  }
  // Globs, braces and the home folder expand to what exists; a variable could be anything, so a person decides.
  const tier = shape.includes("\0") ? "confirm" : "forbidden";
  if (shape.startsWith("/") && literalChars(shape) >= 4 && personProbes.some((p) => shapeRegExp(shape, ".*").test(p)))
    return { tier, why: `${word.text} could name the person's control folder (seal key, approvals, audit anchors)` };
  for (const segment of shape.split("/"))
    if (/[\0\u0002]/.test(segment) && literalChars(segment) >= 2 && shapeRegExp(segment, ".*").test(".worksite"))
      return { tier, why: `${word.text} could name .worksite/` };
  return undefined;
}

/** An unquoted glob: could one of its segments expand to `.worksite`? */
function globNamesState(text: string): boolean {
  return text
    .split("/")
    .some(
      (part) =>
        /[*?[]/.test(part) &&
        globToRegExp(part.replace(/\[[^\]]*\]/g, "?"), { caseInsensitive: true }).test(".worksite"),
    );
}

/** For a glob in a write position: could it expand to a control path of the worksite? */
export function globCouldNameControl(word: Word): string | undefined {
  if (!word.shape || word.computed) return undefined;
  const re = shapeRegExp(fold(word.shape).replace(/^\.\//, ""), "[^/]*");
  return CONTROL_PROBES.find((p) => re.test(p) && isControlPath(p));
}

/** Programs that run code given on their command line (`node -e`, `python3 -c`, an awk program). */
const INTERPRETERS = /^(?:node|nodejs|deno|bun|python[0-9.]*|pypy[0-9.]*|perl|ruby|php|lua[0-9.]*|Rscript|osascript)$/;
const AWKS = /^(?:awk|gawk|mawk|nawk)$/;
const CONTROL_NAME =
  /(?:^|[^A-Za-z0-9_.-])(?:THREAD\.md|GOAL\.md|PERMISSIONS\.md|PROGRESS\.md|\.gitmodules|\.git(?:\/|$|[^A-Za-z0-9_-])|artifacts\/)/i;

/** The code an interpreter is given inline: the word after -e/-c/--eval…, or an awk program. Files it reads are not code. */
function inlineCode(argv: readonly Word[], programName: string): Word[] {
  const args = argv.slice(1);
  if (AWKS.test(programName)) {
    const code: Word[] = [];
    for (let i = 0; i < args.length; i++) {
      const t = args[i]!.text;
      if (/^-[fv]$/.test(t) || t === "-F") i++;
      else if (t === "-e" || t === "--source") code.push(...(args[i + 1] ? [args[++i]!] : []));
      else if (!t.startsWith("-")) return [...code, args[i]!];
    }
    return code;
  }
  if (!INTERPRETERS.test(programName)) return [];
  return args.flatMap((w, i) =>
    /^-(?:[A-Za-z]*[ecpr]|E|-eval|-print|-command)$/.test(w.text) && args[i + 1] ? [args[i + 1]!] : [],
  );
}

/**
 * An interpreter whose inline code names a control file (`node -e "fs.writeFileSync('PERMISSIONS.md', …)"`,
 * `awk '{print > "THREAD.md"}'`): worksite cannot tell whether the code writes it, so a person decides.
 */
export function inlineCodeNamesControl(argv: readonly Word[], programName: string): string | undefined {
  const hit = inlineCode(argv, programName).find((w) => CONTROL_NAME.test(fold(w.text)));
  return hit ? CONTROL_NAME.exec(fold(hit.text))![0].replace(/^[^A-Za-z.]/, "") : undefined;
}
