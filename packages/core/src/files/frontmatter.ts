import { load } from "js-yaml";
import type { z } from "zod";
import type { Diagnostic } from "../errors.js";
import { type Collector, collector } from "./diagnostics.js";
import { didYouMean } from "./did-you-mean.js";
import { describeYamlError } from "./yaml-error.js";
import { firstAliasLine, YAML_EXPANSION_HINT, YAML_EXPANSION_MESSAGE, yamlExpandsTooFar } from "./yaml-expansion.js";

export interface Frontmatter {
  /** False when the file does not open with a `---` line (then `data` is empty and `body` is the whole text). */
  present: boolean;
  data: Record<string, unknown>;
  /** The markdown after the frontmatter. */
  body: string;
  /** File line (1-based) where `body` starts, so item lines are true file lines. */
  bodyLine: number;
  /** Where a key path is written, for messages; line 1 when it cannot be found. */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
}

/** BOM and CRLF would shift columns and confuse the YAML reader; every parser starts here. */
export function normalizeText(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, "\n");
}

/**
 * What messages call the `---` block. Worksite's own files say "settings"; SKILL.md
 * and memory entries are read by other tools too, whose people say "frontmatter".
 */
export type BlockName = "settings" | "frontmatter";

const WORDS = {
  settings: {
    unreadable: "the settings (YAML) cannot be read",
    perLine: "write one setting per line, e.g. `stage: draft`",
  },
  frontmatter: {
    unreadable: "the frontmatter is not valid YAML",
    perLine: "write one `key: value` per line, e.g. `name: my-skill`",
  },
} as const;

export type FrontmatterResult = ({ ok: true } & Frontmatter) | { ok: false; diagnostics: Diagnostic[] };

/**
 * The one reader of `---` frontmatter for every package: normalises the text, then
 * reads it like {@link readFrontmatter}. Any problem comes back as diagnostics at
 * `file`:LINE:COLUMN instead of the data.
 */
export function parseFrontmatter(text: string, file: string, name: BlockName = "frontmatter"): FrontmatterResult {
  const d = collector(file);
  const fm = readFrontmatter(normalizeText(text), d, name);
  return d.hasErrors() ? { ok: false, diagnostics: d.list } : { ok: true, ...fm };
}

/**
 * Reads `---` frontmatter with js-yaml (its `load` knows no types that run code: a worksite file must never
 * run code just by being read). YAML problems become diagnostics at the true FILE:LINE:COLUMN.
 */
export function readFrontmatter(text: string, d: Collector, name: BlockName = "settings"): Frontmatter {
  const lines = text.split("\n");
  const none = (body: string, bodyLine: number): Frontmatter => ({
    present: false,
    data: {},
    body,
    bodyLine,
    locate: () => ({ line: 1, column: 1 }),
  });
  if (lines[0]?.trimEnd() !== "---") return none(text, 1);

  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trimEnd();
    if (l === "---" || l === "...") {
      close = i;
      break;
    }
  }
  if (close < 0) {
    d.error(
      1,
      1,
      `the ${name} block opened with --- on line 1 is never closed`,
      `end the ${name} with a line holding only ---, or remove the opening --- if the file has no ${name}`,
    );
    return { ...none("", lines.length + 1), present: true };
  }

  const blockLines = lines.slice(1, close);
  const block = blockLines.join("\n");
  const locate = (path: readonly PropertyKey[]) => locateKey(blockLines, path);
  const body = lines.slice(close + 1).join("\n");
  const bodyLine = close + 2;
  const empty = { present: true, data: {}, body, bodyLine, locate };
  if (block.replace(/^\s*#.*$/gm, "").trim() === "") return empty;

  let data: unknown;
  try {
    // The leading newline stands for the opening `---`, so the reader's marks count lines from it.
    data = load(`\n${block}`);
  } catch (error) {
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    const reason =
      (error as { reason?: string }).reason ??
      (error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error));
    const problem = describeYamlError(blockLines, mark, reason, WORDS[name].unreadable);
    d.error(problem.line, problem.column, problem.message, problem.hint);
    return empty;
  }
  if (yamlExpandsTooFar(data, block.length)) {
    d.error(firstAliasLine(blockLines) + 2, 1, `${YAML_EXPANSION_MESSAGE}`, YAML_EXPANSION_HINT);
    return empty;
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data) || data instanceof Date) {
    d.error(2, 1, `the ${name} must be \`key: value\` lines`, WORDS[name].perLine);
    return empty;
  }
  return { ...empty, data: data as Record<string, unknown> };
}

/**
 * Finds the line of a key path (`pause.maxRounds`, `verify.1`) in the YAML block
 * by indentation. Good enough for messages; never throws.
 */
function locateKey(blockLines: readonly string[], path: readonly PropertyKey[]): { line: number; column: number } {
  let from = 0;
  let parentIndent = -1;
  let found: { line: number; column: number } = { line: 2, column: 1 };
  for (const key of path) {
    let hit = -1;
    let hitIndent = 0;
    let count = 0;
    // Keys of this level sit at the indent of its first line; deeper lines (a nested map,
    // a block scalar's text) may hold the same word and must not be taken for the key.
    let levelIndent: number | undefined;
    for (let i = from; i < blockLines.length; i++) {
      const l = blockLines[i]!;
      if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
      const indent = l.length - l.trimStart().length;
      if (indent <= parentIndent) break;
      levelIndent ??= indent;
      if (indent > levelIndent) continue;
      const t = l.trimStart();
      if (typeof key === "number") {
        if (t.startsWith("- ") || t === "-") {
          if (count === key) {
            hit = i;
            hitIndent = indent;
            break;
          }
          count++;
        }
      } else {
        const name = String(key);
        if (
          t.startsWith(`${name}:`) ||
          t.startsWith(`"${name}":`) ||
          t.startsWith(`'${name}':`) ||
          t.startsWith(`- ${name}:`)
        ) {
          hit = i;
          hitIndent = indent + (t.startsWith("- ") ? 2 : 0);
          break;
        }
      }
    }
    if (hit < 0) {
      // Same line, flow style or a list item: `default: { read: maybe }`, `- tool: x`.
      const onLine =
        typeof key === "string" && found.line >= 2
          ? sameLineKey(blockLines[found.line - 2] ?? "", key, found.column)
          : undefined;
      if (onLine !== undefined) found = { line: found.line, column: onLine };
      break;
    }
    found = { line: hit + 2, column: hitIndent + 1 };
    from = hit + 1;
    // A key's children are indented deeper than it; the search stops at its next sibling.
    parentIndent = hitIndent;
  }
  return found;
}

/** 1-based column of `key:` written after `fromColumn` on one line, if it is there. */
function sameLineKey(line: string, key: string, fromColumn: number): number | undefined {
  const quoted = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(^|[\\s{,])(["']?)${quoted}\\2\\s*:`, "g");
  re.lastIndex = fromColumn;
  const m = re.exec(line);
  return m ? m.index + m[1]!.length + 1 : undefined;
}

/**
 * Validates frontmatter with a zod schema and turns every issue into a
 * diagnostic at the key's line. Unknown keys get a did-you-mean from `known`
 * (key path → allowed keys, "" for the top level).
 */
export function validateFrontmatter<S extends z.ZodType>(
  schema: S,
  fm: Frontmatter,
  d: Collector,
  known: Record<string, readonly string[]>,
  hints: Record<string, string>,
): z.output<S> | undefined {
  const result = schema.safeParse(fm.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues.flatMap((i) => unwrapUnion(i))) {
    const path = issue.path;
    if (issue.code === "unrecognized_keys") {
      const where = path.map(String).join(".");
      const allowed = known[where] ?? [];
      const { prefix, name } = describePath(path);
      for (const key of issue.keys) {
        const at = fm.locate([...path, key]);
        const guess = didYouMean(key, allowed);
        d.error(
          at.line,
          at.column,
          `${prefix}unknown setting \`${name ? `${name}.` : ""}${key}\``,
          guess ? `did you mean \`${guess}\`?` : `known settings here: ${allowed.join(", ")}`,
        );
      }
      continue;
    }
    const at = fm.locate(path);
    const { prefix, name } = describePath(path);
    const full = path.map(String).join(".");
    const top = String(path[0] ?? "");
    // Messages that start with "is" read as a sentence about the setting: "`default.read` is `maybe`; …".
    const message = !name
      ? issue.message
      : issue.message.startsWith("is ")
        ? `\`${name}\` ${issue.message}`
        : `setting \`${name}\`: ${issue.message}`;
    d.error(at.line, at.column, `${prefix}${message || "setting (top)"}`, hints[full] ?? hints[top]);
  }
  return undefined;
}

type Issue = z.core.$ZodIssue;

/**
 * `default: { read: maybe }` fails every branch of "a tier, or one per effect". When
 * only one branch got past the type check, its issues say what is wrong (and where)
 * far better than the union's summary.
 */
function unwrapUnion(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return [issue];
  const typeMismatch = (errors: Issue[]) => errors.every((e) => e.code === "invalid_type" && e.path.length === 0);
  const fitting = issue.errors.filter((errors) => !typeMismatch(errors));
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.flatMap((e) => unwrapUnion({ ...e, path: [...issue.path, ...e.path] } as Issue));
}

/** `steps.1.tool` reads as "step 2: `tool`": people count list items from one. */
function describePath(path: readonly PropertyKey[]): { prefix: string; name: string } {
  const last = path.findLastIndex((k) => typeof k === "number");
  if (last < 1) return { prefix: "", name: path.map(String).join(".") };
  const list = String(path[last - 1]);
  const item = list.endsWith("s") ? list.slice(0, -1) : `${list} item`;
  return {
    prefix: `${item} ${(path[last] as number) + 1}: `,
    name: path
      .slice(last + 1)
      .map(String)
      .join("."),
  };
}
