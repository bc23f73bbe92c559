import { type Diagnostic, didYouMean, UserError } from "@worksite/core";
import { parseSteps } from "./steps.js";
import type { FailureMode, SkillSections, SkillTriggers } from "./types.js";

/** Section headings worksite reads, in English and Chinese (as the worksite files accept both). */
type SectionKind = "when" | "steps" | "failures" | "done";
const HEADINGS: Record<string, SectionKind> = {
  "when to use": "when",
  "when to use it": "when",
  triggers: "when",
  何时使用: "when",
  适用场景: "when",
  steps: "steps",
  procedure: "steps",
  步骤: "steps",
  "failure modes": "failures",
  失败模式: "failures",
  常见故障: "failures",
  "done when": "done",
  完成标准: "done",
  完成条件: "done",
};

interface RawSection {
  heading: string;
  /** 1-based line of the heading in SKILL.md. */
  line: number;
  lines: string[];
}

/** Splits markdown into sections by ATX headings, ignoring `#` lines inside fenced code. */
export function splitSections(body: string, bodyLine: number): RawSection[] {
  const out: RawSection[] = [];
  let current: RawSection | undefined;
  let fence: string | undefined;
  body.split("\n").forEach((line, i) => {
    // CommonMark: a fence is indented at most three spaces, and a closing one carries no info string.
    const f = /^ {0,3}(```+|~~~+)/.exec(line);
    if (f && fence === undefined) fence = f[1];
    else if (f && isClosingFence(line, fence!)) fence = undefined;
    const h = fence === undefined && !f ? /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line) : null;
    if (h) {
      current = { heading: h[1]!, line: bodyLine + i, lines: [] };
      out.push(current);
    } else current?.lines.push(line);
  });
  return out;
}

function headingKey(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[*_`]/g, "")
    .replace(/[:：.]+$/, "")
    .trim();
}

function kindOf(heading: string): SectionKind | undefined {
  return HEADINGS[headingKey(heading)];
}

/**
 * `## Stpes` is read as prose, so its steps would silently never run: a heading
 * one slip away from a section worksite reads gets a warning. Others (`## Notes`)
 * are the author's own and pass quietly.
 */
function misspeltHeading(section: RawSection, file: string): Diagnostic | undefined {
  const guess = didYouMean(headingKey(section.heading), Object.keys(HEADINGS));
  if (!guess) return undefined;
  const shown = guess[0]!.toUpperCase() + guess.slice(1);
  return {
    file,
    line: section.line,
    severity: "warning",
    // A model agent reads the whole body, this section included; only what worksite takes from it (steps, triggers,
    // failure modes, done-when) is missed, so the message says that rather than "ignored".
    message: `"${section.heading}" is not one of worksite's section names: a model agent still reads its text, but worksite takes no ${guessKindWords(guess)} from it`,
    hint: `did you mean "## ${shown}"? Sections are When to use, Steps, Failure modes, Done when (or 何时使用, 步骤, 失败模式, 完成标准)`,
  };
}

function guessKindWords(heading: string): string {
  const kind = HEADINGS[heading];
  return kind === "steps"
    ? "steps (the script agent runs nothing)"
    : kind === "when"
      ? "triggers"
      : kind === "failures"
        ? "failure modes"
        : "done-when checks";
}

/** Bullet or numbered list items, with their 1-based line. */
function listItems(section: RawSection): { text: string; line: number }[] {
  return section.lines.flatMap((l, i) => {
    const m = /^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(l);
    return m && m[1]!.trim() ? [{ text: m[1]!.trim(), line: section.line + 1 + i }] : [];
  });
}

const splitList = (s: string) =>
  s
    .split(/[,，、]/)
    .map((x) => x.trim().replace(/^`|`$/g, ""))
    .filter(Boolean);

/**
 * Trigger lines in "When to use": `keywords: a, b`, `files: src/**`, `events: pr-comment, schedule`
 * (Chinese labels 关键词 / 文件 / 事件 too). Other lines are prose for people and the model.
 */
function readTriggerLine(text: string, into: SkillTriggers): boolean {
  const m = /^\**(keywords?|files?|globs?|paths?|events?|关键词|文件|事件)\**\s*[:：]\s*(.+)$/i.exec(text);
  if (!m) return false;
  const label = m[1]!.toLowerCase();
  const values = splitList(m[2]!);
  const list = /^(keyword|关键词)/.test(label)
    ? into.keywords
    : /^(file|glob|path|文件)/.test(label)
      ? into.files
      : into.events;
  for (const v of values) list.push(v);
  return true;
}

/** `metadata.triggers`: comma-separated keywords; `file:GLOB` and `event:NAME` entries for the other kinds. */
export function triggersFromMetadata(value: string | undefined, into: SkillTriggers): void {
  for (const entry of splitList(value ?? "")) {
    const m = /^(file|event|keyword)s?:(.+)$/i.exec(entry);
    if (!m) into.keywords.push(entry);
    else if (m[1]!.toLowerCase() === "file") into.files.push(m[2]!.trim());
    else if (m[1]!.toLowerCase() === "event") into.events.push(m[2]!.trim());
    else into.keywords.push(m[2]!.trim());
  }
}

function readFailure(text: string, line: number): FailureMode {
  const arrow = /\s*(?:→|->|=>|⇒)\s*/.exec(text);
  if (arrow)
    return {
      symptom: text.slice(0, arrow.index).trim(),
      action: text.slice(arrow.index + arrow[0].length).trim(),
      line,
    };
  const bold = /^\*\*(.+?)\*\*\s*[:：—–-]?\s*(.*)$/.exec(text);
  if (bold) return { symptom: bold[1]!.trim(), action: bold[2]!.trim(), line };
  return { symptom: text, action: "", line };
}

/**
 * Reads worksite's body sections. Absent sections are fine: a plain Agent Skill has none.
 * Warnings (a misspelt section heading, a tool id one slip from one of `knownTools`) go to `warnings`.
 */
export function parseSections(
  body: string,
  bodyLine: number,
  file: string,
  metadata: Record<string, string> = {},
  warnings: Diagnostic[] = [],
  knownTools?: readonly string[],
): SkillSections {
  const sections: SkillSections = {
    triggers: { keywords: [], files: [], events: [] },
    variables: [],
    failureModes: [],
    doneWhen: [],
  };
  triggersFromMetadata(metadata.triggers, sections.triggers);
  for (const section of splitSections(body, bodyLine)) {
    const kind = kindOf(section.heading);
    if (kind === undefined) {
      const typo = misspeltHeading(section, file);
      if (typo) warnings.push(typo);
    }
    if (kind === "when") {
      sections.whenToUse = { text: section.lines.join("\n").trim(), line: section.line };
      for (const item of listItems(section)) readTriggerLine(item.text, sections.triggers);
      for (const l of section.lines)
        if (!/^\s*(?:[-*+]|\d+[.)])\s/.test(l)) readTriggerLine(l.trim(), sections.triggers);
    } else if (kind === "steps") {
      const block = fencedYaml(section);
      if (!block) {
        throw new UserError(`${file} has a Steps section without steps`, {
          diagnostics: [
            {
              file,
              line: section.line,
              severity: "error",
              message: "Steps has no fenced ```yaml block",
              hint: "list the tool calls in a ```yaml block: - tool: shell.run / input: { … }",
            },
          ],
        });
      }
      const parsed = parseSteps(block.text, file, block.line, knownTools);
      sections.steps = parsed.steps;
      sections.stepsLine = block.line;
      sections.variables = parsed.variables;
      for (const w of parsed.warnings) warnings.push(w);
    } else if (kind === "failures") {
      // Loops, not push(...items): a SKILL.md with 200,000 list lines would overflow the call stack (issue 21).
      for (const i of listItems(section)) sections.failureModes.push(readFailure(i.text, i.line));
    } else if (kind === "done") {
      for (const i of listItems(section)) sections.doneWhen.push(i.text);
    }
  }
  const dedupe = (xs: string[]) => [...new Set(xs)];
  sections.triggers = {
    keywords: dedupe(sections.triggers.keywords),
    files: dedupe(sections.triggers.files),
    events: dedupe(sections.triggers.events),
  };
  return sections;
}

/** The first ```yaml (or ```yml) block in a section, with the 1-based line of its first YAML line. */
function fencedYaml(section: RawSection): { text: string; line: number } | undefined {
  const start = section.lines.findIndex((l) => /^ {0,3}(```+|~~~+)\s*ya?ml\b/i.test(l));
  if (start < 0) return undefined;
  const fence = /^ {0,3}(```+|~~~+)/.exec(section.lines[start]!)![1]!;
  let end = section.lines.findIndex((l, i) => i > start && isClosingFence(l, fence));
  if (end < 0) end = section.lines.length;
  return { text: section.lines.slice(start + 1, end).join("\n"), line: section.line + 1 + start + 1 };
}

function isClosingFence(line: string, fence: string): boolean {
  const m = /^ {0,3}(```+|~~~+)\s*$/.exec(line);
  return !!m && m[1]![0] === fence[0] && m[1]!.length >= fence.length;
}
