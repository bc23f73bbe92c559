import { scanCodeSpans } from "./code-spans.js";
import type { Collector } from "./diagnostics.js";

export interface Cell {
  text: string;
  /** 1-based file column where the cell text starts. */
  column: number;
}

/**
 * Splits a markdown pipe-table row into cells. Pipes inside code spans and
 * escaped `\|` do not split, so `shell.run(a | b)` stays one rule. Returns
 * undefined (after reporting) when a code span is never closed.
 */
export function splitTableRow(raw: string, d: Collector, line: number): Cell[] | undefined {
  const scan = scanCodeSpans(raw);
  if (scan.unclosedAt !== undefined) {
    d.error(
      line,
      scan.unclosedAt + 1,
      "this code span is never closed",
      "end the rule with a backtick, e.g. `shell.run(npm test)`",
    );
    return undefined;
  }
  const inSpan = (i: number) => scan.spans.some((s) => i > s.start && i < s.end - 1);
  const cells: Cell[] = [];
  let start = raw.indexOf("|") + 1;
  for (let i = start; i <= raw.length; i++) {
    const end = i === raw.length;
    if (end || (raw[i] === "|" && raw[i - 1] !== "\\" && !inSpan(i))) {
      const text = raw.slice(start, i).replace(/\\\|/g, "|");
      if (!(end && text.trim() === "")) cells.push({ text, column: start + 1 });
      start = i + 1;
    }
  }
  return cells;
}
