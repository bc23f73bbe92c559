/**
 * `node --test`'s spec reporter: the default on Node 23 and later even when the output is not a terminal, so it is
 * what a round's `npm test` log holds there. A failure's details sit indented under its line (Node 20 and 22), or
 * in the closing "failing tests" list, each after a `test at FILE:LINE:COL` line (Node 23 and later).
 */
export interface SpecTest {
  name: string;
  status: "passed" | "failed" | "skipped";
  message: string;
  file: string;
}

const RESULT = /^( *)(✔|✖|﹣) (.+?)(?: \([\d.]+m?s\))?(?: # (.*))?$/;
const SUITE = /^( *)▶ (.+)$/;

/** True when the text carries the spec reporter's closing counts. */
export function isNodeSpec(text: string): boolean {
  return /^ℹ tests \d+$/m.test(text) && /^ℹ pass \d+$/m.test(text);
}

export function parseNodeSpec(text: string): SpecTest[] {
  const lines = text.split("\n");
  const tests: SpecTest[] = [];
  const suites: { indent: number; name: string }[] = [];
  let k = 0;
  for (; k < lines.length && !/^ℹ tests \d+$/.test(lines[k]!); k++) {
    const line = lines[k]!;
    const suite = SUITE.exec(line);
    if (suite) {
      suites.push({ indent: suite[1]!.length, name: suite[2]! });
      continue;
    }
    const m = RESULT.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    while (suites.length && suites.at(-1)!.indent > indent) suites.pop();
    const open = suites.at(-1);
    if (open && open.indent === indent && open.name === m[3]) {
      suites.pop(); // the suite's own closing line, not a test
      continue;
    }
    const name = [...suites.map((s) => s.name), m[3]!].join(" › ");
    const directive = (m[4] ?? "").toUpperCase();
    const status =
      m[2] === "﹣" || directive.startsWith("SKIP") || directive.startsWith("TODO")
        ? "skipped"
        : m[2] === "✔"
          ? "passed"
          : "failed";
    const details: string[] = [];
    // Node 20 and 22: the error follows, indented deeper than the test's line.
    while (
      status === "failed" &&
      k + 1 < lines.length &&
      indentOf(lines[k + 1]!) > indent &&
      !RESULT.test(lines[k + 1]!)
    )
      details.push(lines[++k]!.slice(indent + 2));
    tests.push({ name, status, message: trimBlank(details).join("\n"), file: "" });
  }
  attachFailingList(lines.slice(k), tests);
  return tests;
}

/** Node 23+: "test at FILE:L:C", then "✖ name (ms)", then the error indented. */
function attachFailingList(lines: string[], tests: SpecTest[]): void {
  for (let k = 0; k < lines.length; k++) {
    const at = /^test at (.+)$/.exec(lines[k]!);
    const failed = at && RESULT.exec(lines[k + 1] ?? "");
    if (!at || !failed) continue;
    const details: string[] = [];
    for (k += 2; k < lines.length && (lines[k]!.startsWith("  ") || lines[k] === ""); k++) {
      if (lines[k] === "" && !/^ {2}/.test(lines[k + 1] ?? "")) break;
      details.push(lines[k]!.slice(2));
    }
    k--;
    const test = tests.find(
      (t) => t.status === "failed" && !t.file && (t.name === failed[3] || t.name.endsWith(` › ${failed[3]}`)),
    );
    if (!test) continue;
    test.file = at[1]!;
    if (!test.message) test.message = trimBlank(details).join("\n");
  }
}

const indentOf = (line: string) =>
  line.trim() === "" ? Number.POSITIVE_INFINITY : line.length - line.trimStart().length;

function trimBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === "") end--;
  return lines.slice(0, end);
}
