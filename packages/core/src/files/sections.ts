/**
 * Splits the markdown body of a worksite file into sections and items.
 * A section starts at a markdown heading (`## Goal`) or at a label line ending
 * in a colon, ASCII or full-width (`负责:`, `目标：`). Label lines only count
 * when the caller recognises the label, so prose such as "Read these:" inside a
 * section stays an item. Bullets, numbered lines and plain lines are items.
 */

export interface BodyItem {
  /** The item without its bullet or number. */
  text: string;
  /** The line as written (HTML comments blanked out). */
  raw: string;
  /** 1-based file line and column where `text` starts. */
  line: number;
  column: number;
  bullet: boolean;
  /** Inside a fenced code block. */
  fenced: boolean;
  /** A blank line (or a section start) came right before it. */
  afterBlank: boolean;
}

export interface Section {
  /** What the caller's vocabulary calls it; undefined for an unknown heading. */
  key: string | undefined;
  label: string;
  line: number;
  column: number;
  kind: "heading" | "label";
  items: BodyItem[];
}

export interface Body {
  title?: { text: string; line: number };
  /** Items before the first section. */
  preamble: BodyItem[];
  sections: Section[];
  /**
   * Lines shaped like a label (`Word:` at the start of a line) that the caller's vocabulary does not know.
   * They stay items of the section they are in; callers warn about the ones that look meant as labels.
   */
  unknownLabels: { label: string; rest: string; line: number; column: number }[];
}

/** Names a heading or label line; `kind` lets a file be strict about headings and lenient about labels. */
export type Classify = (label: string, kind: "heading" | "label") => string | undefined;

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const RULE_LINE = /^ {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$/;
const BULLET = /^([ \t]*)([-*+•]|\d{1,9}[.)、])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;
const LABEL = /^([^`:：|]{1,60}?)[ \t]*[:：][ \t]*(.*)$/;

export function splitSections(body: string, firstLine: number, classify: Classify): Body {
  const result: Body = { preamble: [], sections: [], unknownLabels: [] };
  let current: BodyItem[] = result.preamble;
  let inComment = false;
  let fence: string | undefined;
  let blank = true;
  const lines = body.split("\n");

  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = firstLine + idx;
    const original = lines[idx]!;

    if (fence !== undefined) {
      if (original.trim().startsWith(fence)) {
        fence = undefined;
        blank = true;
      } else if (original.trim() !== "") {
        current.push(
          item(
            original.trim(),
            original,
            lineNo,
            original.length - original.trimStart().length + 1,
            false,
            true,
            blank,
          ),
        );
        blank = false;
      }
      continue;
    }

    const stripped = stripComments(original, inComment);
    inComment = stripped.inComment;
    const line = stripped.text;
    if (line.trim() === "") {
      blank = true;
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      fence = fenceMatch[1]!.slice(0, 3);
      blank = true;
      continue;
    }
    if (RULE_LINE.test(line)) {
      blank = true;
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      const label = cleanLabel(heading[2] ?? "");
      const key = label ? classify(label, "heading") : undefined;
      const level = heading[1]!.length;
      if (!key && level === 1 && !result.title && result.sections.length === 0) {
        result.title = { text: label, line: lineNo };
      } else {
        const section: Section = {
          key,
          label,
          line: lineNo,
          column: line.indexOf("#") + 1,
          kind: "heading",
          items: [],
        };
        result.sections.push(section);
        current = section.items;
      }
      blank = true;
      continue;
    }

    const indent = line.length - line.trimStart().length;
    const bullet = BULLET.exec(line);
    if (bullet) {
      const text = bullet[3]!.trim();
      const column = line.length - bullet[3]!.length + 1;
      if (text !== "") current.push(item(text, line, lineNo, column, true, false, blank));
      blank = false;
      continue;
    }

    if (indent === 0) {
      const unbolded = line.trim().replace(/^(\*\*|__)(.+?)\1/, "$2");
      const label = LABEL.exec(unbolded);
      if (label) {
        const name = cleanLabel(label[1]!);
        const key = classify(name, "label");
        if (key) {
          const section: Section = { key, label: name, line: lineNo, column: 1, kind: "label", items: [] };
          result.sections.push(section);
          current = section.items;
          const rest = label[2]!.replace(/^(\*\*|__)\s*/, "").trim();
          if (rest !== "")
            current.push(item(rest, line, lineNo, Math.max(1, line.lastIndexOf(rest) + 1), false, false, true));
          blank = true;
          continue;
        }
        result.unknownLabels.push({ label: name, rest: label[2]!.trim(), line: lineNo, column: 1 });
      }
    }

    // An indented plain line right under a bullet continues that bullet.
    const previous = current[current.length - 1];
    if (indent >= 2 && !blank && previous?.bullet && !previous.fenced) {
      previous.text = `${previous.text} ${line.trim()}`;
      continue;
    }
    current.push(item(line.trim(), line, lineNo, indent + 1, false, false, blank));
    blank = false;
  }
  return result;
}

function item(
  text: string,
  raw: string,
  line: number,
  column: number,
  bullet: boolean,
  fenced: boolean,
  afterBlank: boolean,
): BodyItem {
  return { text, raw, line, column, bullet, fenced, afterBlank };
}

/** Blanks out `<!-- … -->` (possibly spanning lines) with spaces, so columns stay true. */
function stripComments(line: string, inComment: boolean): { text: string; inComment: boolean } {
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (inComment) {
      const end = line.indexOf("-->", i);
      if (end < 0) {
        out += " ".repeat(line.length - i);
        return { text: out, inComment: true };
      }
      out += " ".repeat(end + 3 - i);
      i = end + 3;
      inComment = false;
    } else {
      const start = line.indexOf("<!--", i);
      if (start < 0) {
        out += line.slice(i);
        break;
      }
      out += line.slice(i, start);
      i = start;
      inComment = true;
    }
  }
  return { text: out, inComment };
}

export function cleanLabel(label: string): string {
  return label
    .replace(/[*_]{1,3}/g, "")
    .replace(/[:：]\s*$/, "")
    .trim();
}

/** Lowercased, spaces collapsed, trailing punctuation gone: the form vocabularies are keyed by. */
export function normalizeLabel(label: string): string {
  return cleanLabel(label)
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[\s_]+/g, " ")
    .replace(/[.。!！?？]+$/, "")
    .trim();
}

/**
 * Looks a label up in a vocabulary. "Owns / 负责" and "负责（owns）" match on
 * any of their parts, so bilingual headings work.
 */
export function lookupLabel<K extends string>(label: string, vocabulary: ReadonlyMap<string, K>): K | undefined {
  const whole = normalizeLabel(label);
  const direct = vocabulary.get(whole);
  if (direct) return direct;
  for (const part of whole.split(/\s*[/|()（）]\s*|\s+[-—–]\s+|\s*[,，、]\s*/)) {
    const found = part ? vocabulary.get(part.trim()) : undefined;
    if (found) return found;
  }
  return undefined;
}

export function vocabulary<K extends string>(entries: Record<K, readonly string[]>): ReadonlyMap<string, K> {
  const map = new Map<string, K>();
  for (const [key, words] of Object.entries(entries) as [K, readonly string[]][])
    for (const w of words) map.set(normalizeLabel(w), key);
  return map;
}
