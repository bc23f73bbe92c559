import matter from "gray-matter";
import type { z } from "zod";
import type { Collector } from "./diagnostics.js";
import { didYouMean } from "./did-you-mean.js";

export interface Frontmatter {
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

const refuse = {
  parse: () => {
    throw new Error("only YAML frontmatter is read");
  },
};

/**
 * Reads `---` frontmatter with gray-matter. YAML problems become diagnostics at
 * the true FILE:LINE:COLUMN. The JavaScript engine is refused: a worksite file
 * must never run code just by being read.
 */
export function readFrontmatter(text: string, d: Collector): Frontmatter {
  const lines = text.split("\n");
  const none = (body: string, bodyLine: number): Frontmatter => ({ data: {}, body, bodyLine, locate: () => ({ line: 1, column: 1 }) });
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
    d.error(1, 1, "the settings block opened with --- on line 1 is never closed", "end the settings with a line holding only ---, or remove the opening --- if the file has no settings");
    return none("", lines.length + 1);
  }

  const blockLines = lines.slice(1, close);
  const block = blockLines.join("\n");
  const locate = (path: readonly PropertyKey[]) => locateKey(blockLines, path);
  const body = lines.slice(close + 1).join("\n");
  const bodyLine = close + 2;
  if (block.replace(/^\s*#.*$/gm, "").trim() === "") return { data: {}, body, bodyLine, locate };

  let data: unknown;
  try {
    data = matter(`---\n${block}\n---\n`, { language: "yaml", engines: { javascript: refuse, js: refuse, json: refuse } } as never).data;
  } catch (error) {
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
    // js-yaml counts from the `---` line, which is file line 1.
    const line = typeof mark?.line === "number" ? Math.min(mark.line + 1, close) : 2;
    const column = typeof mark?.column === "number" ? mark.column + 1 : 1;
    d.error(line, column, `the settings (YAML) cannot be read: ${reason}`, "check the indentation and quoting near here; quote values that contain `:`, `#`, `*` or start with `@`");
    return { data: {}, body, bodyLine, locate };
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data) || data instanceof Date) {
    d.error(2, 1, "the settings must be `key: value` lines", "write one setting per line, e.g. `stage: draft`");
    return { data: {}, body, bodyLine, locate };
  }
  return { data: data as Record<string, unknown>, body, bodyLine, locate };
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
    for (let i = from; i < blockLines.length; i++) {
      const l = blockLines[i]!;
      if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
      const indent = l.length - l.trimStart().length;
      if (indent <= parentIndent) break;
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
        if (t.startsWith(`${name}:`) || t.startsWith(`"${name}":`) || t.startsWith(`'${name}':`) || t.startsWith(`- ${name}:`)) {
          hit = i;
          hitIndent = indent + (t.startsWith("- ") ? 2 : 0);
          break;
        }
      }
    }
    if (hit < 0) break;
    found = { line: hit + 2, column: hitIndent + 1 };
    from = hit + 1;
    // A key's children are indented deeper than it; the search stops at its next sibling.
    parentIndent = hitIndent;
  }
  return found;
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
  for (const issue of result.error.issues) {
    const path = issue.path;
    if (issue.code === "unrecognized_keys") {
      const where = path.map(String).join(".");
      const allowed = known[where] ?? [];
      for (const key of issue.keys) {
        const at = fm.locate([...path, key]);
        const guess = didYouMean(key, allowed);
        d.error(
          at.line,
          at.column,
          `unknown setting \`${where ? `${where}.` : ""}${key}\``,
          guess ? `did you mean \`${guess}\`?` : `known settings here: ${allowed.join(", ")}`,
        );
      }
      continue;
    }
    const at = fm.locate(path);
    const name = path.map(String).join(".");
    const top = String(path[0] ?? "");
    d.error(at.line, at.column, `setting \`${name || "(top)"}\`: ${issue.message}`, hints[name] ?? hints[top]);
  }
  return undefined;
}
