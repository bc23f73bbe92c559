import type { Rule, Tier } from "../policy/types.js";
import { scanCodeSpans } from "./code-spans.js";
import type { Collector } from "./diagnostics.js";

export interface ExampleAt {
  rule: Rule;
  kind: "match" | "notMatch";
  value: string;
  line: number;
  column: number;
}

export interface LineResult {
  rules: Rule[];
  examples: ExampleAt[];
  /** The line held no rule: prose for people. */
  note?: string;
}

const TOOL = /^([A-Za-z_*?][\w*?-]*(?:\.[\w*?-]+)*)/;

/** A code span that is trying to be a rule: `tool.name…`, `tool.*` or `*`. */
function looksLikeRule(content: string): boolean {
  return /^(\*|[A-Za-z_*?][\w*?-]*\.[\w*?-]+)/.test(content.trim());
}

/** Does this text (a line or a table cell) hold at least one rule? */
export function holdsRule(text: string): boolean {
  return scanCodeSpans(text).spans.some((s) => looksLikeRule(s.content));
}

/** Separators people put between a rule and its explanation: `—`, `:`, `(…)`, `,`. */
const EDGE = /^[\s—–\-:：,，;；.。()（）|]+|[\s—–\-:：,，;；()（）|]+$/g;

/** What is left of a line once its rules and examples are taken out: the rules' explanation. */
function proseOf(text: string, taken: [number, number][]): string {
  let out = "";
  let at = 0;
  for (const [start, end] of [...taken].sort((a, b) => a[0] - b[0])) {
    if (start > at) out += `${text.slice(at, start)} `;
    at = Math.max(at, end);
  }
  out += text.slice(at);
  return out.replace(/\s+/g, " ").replace(EDGE, "");
}

/**
 * `tool.name(specifier)`, `tool.name` or the space form `tool.name specifier`
 * (ARCHITECTURE.md writes `browser.open https://*.example.com/**`).
 */
export function parseRuleText(
  content: string,
): { tool: string; specifier?: string } | { problem: string; hint: string } {
  const c = content.trim();
  const tool = TOOL.exec(c)?.[1];
  if (!tool)
    return {
      problem: `\`${c}\` is not a rule`,
      hint: "write a tool, optionally with a target: `shell.run(npm test)`, `browser.*`",
    };
  const rest = c.slice(tool.length);
  if (rest === "") return { tool };
  if (rest.startsWith("(")) {
    if (!rest.endsWith(")"))
      return {
        problem: `\`${c}\` opens ( but does not end with )`,
        hint: `write it as \`${tool}(${rest.slice(1).replace(/\)+$/, "")})\``,
      };
    const specifier = rest.slice(1, -1).trim();
    return specifier === "" ? { tool } : { tool, specifier };
  }
  if (/^\s/.test(rest)) return { tool, specifier: rest.trim() };
  return {
    problem: `\`${c}\` is not a rule: unexpected "${rest[0]}" after the tool name`,
    hint: "write `tool.name(target)`, e.g. `file.write(src/**)`",
  };
}

const EXAMPLE_KEY = /\b(not[_-]match|notMatch|match)\s*[:：]\s*/g;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", "“": "”", "「": "」" };

/**
 * Reads one line of a tier: its rules (code spans) with their `match:` /
 * `not_match:` examples, or a note when it holds no rule. `column` is the
 * 1-based column where `text` starts in the file.
 */
export function readRuleLine(text: string, tier: Tier, line: number, column: number, d: Collector): LineResult {
  const file = d.file;
  const scan = scanCodeSpans(text);
  if (scan.unclosedAt !== undefined) {
    d.error(
      line,
      column + scan.unclosedAt,
      "this code span is never closed",
      "end the rule with a backtick, e.g. `shell.run(npm test)`",
    );
    return { rules: [], examples: [] };
  }
  const result: LineResult = { rules: [], examples: [] };
  const ruleSpans = scan.spans.filter((s) => looksLikeRule(s.content));
  if (ruleSpans.length === 0) {
    for (const s of scan.spans)
      d.warn(
        line,
        column + s.start,
        `\`${s.content}\` is not a rule, so this line is kept as a note (not enforced)`,
        "a rule names a tool: `file.write(src/**)`, `shell.run(npm test)`, `browser.*`",
      );
    result.note = text;
    return result;
  }
  const taken: [number, number][] = ruleSpans.map((s) => [s.start, s.end]);
  ruleSpans.forEach((span, n) => {
    const parsed = parseRuleText(span.content);
    if ("problem" in parsed) {
      d.error(line, column + span.start, parsed.problem, parsed.hint);
      return;
    }
    const rule: Rule = {
      tier,
      tool: parsed.tool,
      text: span.content.trim(),
      source: { file, line, column: column + span.start },
      examples: { match: [], notMatch: [] },
    };
    if (parsed.specifier !== undefined) rule.specifier = parsed.specifier;
    result.rules.push(rule);
    // Examples belong to the rule they follow, up to the next rule on the line.
    const segmentEnd = ruleSpans[n + 1]?.start ?? text.length;
    readExamples(text, span.end, segmentEnd, rule, line, column, d, result.examples, taken);
  });
  const prose = proseOf(text, taken);
  if (prose) for (const rule of result.rules) rule.note = prose;
  return result;
}

function readExamples(
  text: string,
  from: number,
  to: number,
  rule: Rule,
  line: number,
  column: number,
  d: Collector,
  out: ExampleAt[],
  taken: [number, number][],
): void {
  const segment = text.slice(0, to);
  EXAMPLE_KEY.lastIndex = from;
  for (let m = EXAMPLE_KEY.exec(segment); m; m = EXAMPLE_KEY.exec(segment)) {
    const kind = m[1]!.toLowerCase().startsWith("not") ? "notMatch" : "match";
    let at = m.index + m[0].length;
    let read = 0;
    for (;;) {
      const open = segment[at];
      const close = open === undefined ? undefined : QUOTES[open];
      if (!close) break;
      const end = segment.indexOf(close, at + 1);
      if (end < 0) {
        d.error(
          line,
          column + at,
          `the ${m[1]} example is not closed with ${close}`,
          `write it as ${m[1]}: ${open}…${close}`,
        );
        return;
      }
      const value = segment.slice(at + 1, end);
      rule.examples[kind].push(value);
      out.push({ rule, kind, value, line, column: column + at });
      read++;
      at = end + 1;
      const comma = /^\s*[,，]\s*/.exec(segment.slice(at));
      if (!comma) break;
      at += comma[0].length;
    }
    taken.push([m.index, at]);
    if (read === 0)
      d.error(
        line,
        column + at,
        `expected a quoted example after ${m[1]}:`,
        `e.g. ${m[1]}: "https://app.example.com/settings"`,
      );
    EXAMPLE_KEY.lastIndex = Math.max(at, m.index + m[0].length);
  }
}
