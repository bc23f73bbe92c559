/**
 * Turns a YAML reader error into a message at the line a person has to fix.
 * js-yaml notices an unclosed `[` or `"` only where the next entry (or the end of
 * the block) begins, so its mark points one line past the mistake; then the
 * message names the key whose value went wrong, at that key's line.
 */

export interface YamlProblem {
  /** File line and column (1-based). */
  line: number;
  column: number;
  message: string;
  hint: string;
}

const GENERIC_HINT =
  "check the indentation and quoting near here; quote values that contain `:`, `#`, `*` or start with `@`";
const KEY = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#:"'][^:#]*?)\s*:(?=\s|$)/;
const CLOSER: Record<string, string> = { "[": "]", "{": "}", '"': '"', "'": "'" };

/**
 * `blockLines` are the frontmatter lines between the `---` lines; block line i is
 * file line i + 2. `mark` is js-yaml's, counted from the opening `---` (file line 1).
 */
export function describeYamlError(
  blockLines: readonly string[],
  mark: { line?: number; column?: number } | undefined,
  reason: string,
  unreadable = "the settings (YAML) cannot be read",
): YamlProblem {
  const fallback: YamlProblem = {
    line: typeof mark?.line === "number" ? Math.min(mark.line + 1, blockLines.length + 2) : 2,
    column: typeof mark?.column === "number" ? mark.column + 1 : 1,
    message: `${unreadable}: ${reason}`,
    hint: GENERIC_HINT,
  };
  if (typeof mark?.line !== "number") return fallback;
  const at = mark.line - 1;
  const column = mark.column ?? 0;
  const atLineStart = at >= blockLines.length || (at >= 0 && blockLines[at]!.slice(0, column).trim() === "");
  if (!atLineStart) return fallback;

  // The mark is at the start of a line (or past the block): the mistake is in the value before it.
  let prev = Math.min(at, blockLines.length) - 1;
  while (prev >= 0 && isBlank(blockLines[prev]!)) prev--;
  // A quote or bracket left open swallows the lines after it, so the key to blame
  // is the nearest one above whose value (through `prev`) leaves something open.
  const keyLines: number[] = [];
  for (let i = prev; i >= 0; i--) if (KEY.test(blockLines[i]!)) keyLines.push(i);
  if (!keyLines.length) return fallback;
  const read = keyLines.map((k) => ({ k, ...valueAt(blockLines, k, prev) }));
  const open = read.find((r) => r.opener !== undefined);
  const { k: keyLine, valueStart, opener } = open ?? read[0]!;
  const path = keyPath(blockLines, keyLine);
  const where = { line: keyLine + 2, column: valueStart + 1 };
  if (!opener)
    return { ...where, message: `the value of \`${path}\` is not valid YAML: ${reason}`, hint: GENERIC_HINT };
  const closer = CLOSER[opener]!;
  const oneLine = keyLine === prev ? ` e.g. \`${blockLines[keyLine]!.trim()}${closer}\`` : "";
  return {
    ...where,
    message: `the value of \`${path}\` is not valid YAML (an unclosed \`${opener}\`?)`,
    hint: `close it with \`${closer}\`${oneLine ? `,${oneLine}` : ""}; a value that holds \`[\`, \`{\` or a quote as plain text must itself be quoted`,
  };
}

/** The value written after the key on line `k`, through line `last`, and what it leaves open. */
function valueAt(
  lines: readonly string[],
  k: number,
  last: number,
): { valueStart: number; opener: string | undefined } {
  const line = lines[k]!;
  const afterKey = KEY.exec(line)![0].length;
  const valueStart = afterKey + (line.slice(afterKey).length - line.slice(afterKey).trimStart().length);
  const value = [line.slice(valueStart), ...lines.slice(k + 1, last + 1)].join("\n");
  return { valueStart, opener: unclosedOpener(value) };
}

function isBlank(line: string): boolean {
  return line.trim() === "" || line.trimStart().startsWith("#");
}

/** `memory.path`: the key on `line` and the keys it is nested under, by indentation. */
function keyPath(lines: readonly string[], line: number): string {
  const keys: string[] = [];
  let indent = Infinity;
  for (let i = line; i >= 0; i--) {
    const m = KEY.exec(lines[i]!);
    if (!m) continue;
    const own = m[1]!.length;
    if (own >= indent) continue;
    keys.unshift(m[2]!.replace(/^["']|["']$/g, ""));
    indent = own;
    if (own === 0) break;
  }
  return keys.join(".");
}

/** The innermost bracket or quote a value opens and never closes. */
function unclosedOpener(value: string): string | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quote) {
      if (quote === '"' && ch === "\\") i++;
      else if (ch === quote) {
        if (quote === "'" && value[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (ch === "#" && (i === 0 || /\s/.test(value[i - 1]!))) {
      const eol = value.indexOf("\n", i);
      if (eol < 0) break;
      i = eol;
      continue;
    }
    // A quote opens a quoted scalar only where a value starts, not inside a word (`it's`).
    if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:]/.test(value[i - 1]!))) quote = ch;
    else if (ch === "[" || ch === "{") stack.push(ch);
    else if ((ch === "]" || ch === "}") && stack.length) stack.pop();
  }
  return quote ?? stack.at(-1);
}
