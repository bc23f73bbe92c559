/**
 * A unified diff of one file, as `git diff` prints it, line by line (LCS) with
 * 3 lines of context: what a person reads in a drafted file write or a memory
 * proposal, with no git binary needed. `null` is a file that does not exist.
 * Very large files fall back to "replace everything" rather than spend quadratic time.
 */
const MAX_CELLS = 4_000_000;
const CONTEXT = 3;

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return `(no change to ${path})\n`;
  const a = splitLines(before ?? "");
  const b = splitLines(after ?? "");
  const ops = a.length * b.length > MAX_CELLS ? replaceAll(a, b) : lcsOps(a, b);
  const header = [
    `diff --git a/${path} b/${path}`,
    ...(before === null ? ["new file mode 100644"] : after === null ? ["deleted file mode 100644"] : []),
    `--- ${before === null ? "/dev/null" : `a/${path}`}`,
    `+++ ${after === null ? "/dev/null" : `b/${path}`}`,
  ];
  return `${header.join("\n")}\n${hunks(ops).join("")}`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [
    ...a.map((line, i) => ({ kind: "-" as const, line, a: i, b: 0 })),
    ...b.map((line, j) => ({ kind: "+" as const, line, a: a.length, b: j })),
  ];
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[at(i, j)] =
        a[i] === b[j] ? table[at(i + 1, j + 1)]! + 1 : Math.max(table[at(i + 1, j)]!, table[at(i, j + 1)]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: " ", line: a[i]!, a: i++, b: j++ });
    // Deletions before insertions on a tie, as diff(1) prints them.
    else if (i < n && (j >= m || table[at(i + 1, j)]! >= table[at(i, j + 1)]!))
      ops.push({ kind: "-", line: a[i]!, a: i++, b: j });
    else ops.push({ kind: "+", line: b[j]!, a: i, b: j++ });
  }
  return ops;
}

function hunks(ops: Op[]): string[] {
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === " ") k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend while the next change is within 2×CONTEXT unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== " ") end++;
      let gap = end;
      while (gap < ops.length && ops[gap]!.kind === " ") gap++;
      if (gap < ops.length && gap - end <= CONTEXT * 2) end = gap;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const slice = ops.slice(start, stop);
    const aLines = slice.filter((o) => o.kind !== "+").length;
    const bLines = slice.filter((o) => o.kind !== "-").length;
    const aStart = slice[0]!.a + (aLines ? 1 : 0);
    const bStart = slice[0]!.b + (bLines ? 1 : 0);
    out.push(`@@ -${aStart},${aLines} +${bStart},${bLines} @@\n`);
    // One push per line: a hunk of a 300,000-line file would overflow push(...lines).
    for (const o of slice) out.push(`${o.kind}${o.line}\n`);
    k = stop;
  }
  return out;
}
