/** A markdown code span on one line; columns are 0-based string indexes. */
export interface CodeSpan {
  content: string;
  start: number;
  end: number;
}

export interface SpanScan {
  spans: CodeSpan[];
  /** Index of a backtick run that nothing closes, if any. */
  unclosedAt?: number;
}

/**
 * CommonMark code spans on a single line: a run of N backticks is closed by the
 * next run of exactly N. Rule lines must close every span, so an opener with no
 * closer is reported instead of being read as a literal backtick.
 */
export function scanCodeSpans(line: string): SpanScan {
  const spans: CodeSpan[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] !== "`") {
      i++;
      continue;
    }
    const open = runLength(line, i);
    let j = i + open;
    let closed = -1;
    while (j < line.length) {
      if (line[j] === "`") {
        const run = runLength(line, j);
        if (run === open) {
          closed = j;
          break;
        }
        j += run;
      } else j++;
    }
    if (closed < 0) return { spans, unclosedAt: i };
    let content = line.slice(i + open, closed);
    if (content.length > 2 && content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "")
      content = content.slice(1, -1);
    spans.push({ content, start: i, end: closed + open });
    i = closed + open;
  }
  return { spans };
}

function runLength(s: string, at: number): number {
  let n = 0;
  while (s[at + n] === "`") n++;
  return n;
}
