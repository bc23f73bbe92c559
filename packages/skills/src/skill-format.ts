import { type Diagnostic, normalizeText, parseFrontmatter, UserError } from "@worksite/core";
import { isTemplateDescription } from "./template-text.js";
import type { SkillFrontmatter } from "./types.js";

/**
 * The public Agent Skills format (agentskills.io/specification): these six
 * fields are all a strict validator accepts, which is why worksite's own
 * additions live in body sections and `metadata`, never in new fields.
 */
const STANDARD_FIELDS = new Set(["name", "description", "license", "compatibility", "allowed-tools", "metadata"]);

/** Fields other agents add. Kept as written and reported as a note, so their skills load unchanged. */
const KNOWN_FOREIGN_FIELDS: Record<string, string> = {
  "argument-hint": "Claude Code",
  "user-invocable": "Claude Code",
  "disable-model-invocation": "Claude Code",
  context: "Claude Code",
  model: "Claude Code",
  agent: "Claude Code",
  hooks: "Claude Code",
  when_to_use: "Claude Code",
  version: "several agents",
};

/**
 * Letters and digits of any script joined by single hyphens, as the public validator
 * (agentskills skills-ref) takes them: `pdf`, `技能`, `мой-навык`. Lower case is checked
 * apart (see {@link isSkillName}); no `/`, `.` or space can pass, so a name is always a folder name.
 */
export const NAME_PATTERN = /^[\p{L}\p{N}]+(-[\p{L}\p{N}]+)*$/u;

/** The validator's rule: NFKC-normalised, lower case, letters/digits/single inner hyphens, at most 64 characters. */
export function isSkillName(name: string): boolean {
  const n = name.normalize("NFKC");
  return n === name && NAME_PATTERN.test(n) && n === n.toLowerCase() && [...n].length <= MAX_NAME;
}

/** Folder and name compared as the validator compares them (both NFKC). */
export function sameSkillName(a: string, b: string): boolean {
  return a.normalize("NFKC") === b.normalize("NFKC");
}
export const MAX_NAME = 64;
export const MAX_DESCRIPTION = 1024;
export const MAX_COMPATIBILITY = 500;

export interface ParsedSkillMarkdown {
  frontmatter: SkillFrontmatter;
  body: string;
  /** 1-based line where the body starts. */
  bodyLine: number;
  /** Notes and warnings; errors are thrown. */
  diagnostics: Diagnostic[];
}

export interface ParseSkillOptions {
  /**
   * Names the skill may have: its folder's name, and for a package also the
   * name its package implies (`@acme/skill-deploy` → `deploy`). Empty = not checked.
   */
  expectedNames?: string[];
}

export type SafeParseResult =
  | ({ ok: true } & ParsedSkillMarkdown)
  | { ok: false; error: UserError; diagnostics: Diagnostic[] };

/** Parses SKILL.md text; `file` is how diagnostics name it (`skills/demo/SKILL.md`). Throws a UserError listing every problem. */
export function parseSkillMarkdown(text: string, file: string, options: ParseSkillOptions = {}): ParsedSkillMarkdown {
  const result = safeParseSkillMarkdown(text, file, options);
  if (!result.ok) throw result.error;
  return result;
}

export function safeParseSkillMarkdown(text: string, file: string, options: ParseSkillOptions = {}): SafeParseResult {
  const diagnostics: Diagnostic[] = [];
  const fail = (message: string) => ({
    ok: false as const,
    error: new UserError(message, { diagnostics }),
    diagnostics,
  });
  const at = (line: number, severity: Diagnostic["severity"], message: string, hint?: string) =>
    diagnostics.push({ file, line, severity, message, ...(hint ? { hint } : {}) });

  const fm = parseFrontmatter(text, file);
  if (!fm.ok) {
    for (const x of fm.diagnostics) diagnostics.push(x);
    return fail(`${file} is not a valid skill`);
  }
  if (!fm.present) {
    at(1, "error", "SKILL.md has no frontmatter", "start the file with a --- block holding name: and description:");
    return fail(`${file} is not a valid skill`);
  }
  const data = fm.data;
  const fileLines = normalizeText(text).split("\n");
  // A key that is not written at all is reported on the opening --- line.
  const lineOf = (key: string) => (Object.hasOwn(data, key) ? fm.locate([key]).line : 1);

  const name = data.name;
  if (name === undefined || name === null || name === "") {
    at(1, "error", "name is missing", "add name: with the skill folder's name");
  } else if (typeof name !== "string") {
    at(lineOf("name"), "error", "name must be a string");
  } else {
    const length = [...name].length;
    if (length > MAX_NAME) at(lineOf("name"), "error", `name is ${length} characters; at most ${MAX_NAME}`);
    const normal = name.normalize("NFKC");
    if (!NAME_PATTERN.test(normal) || normal !== normal.toLowerCase())
      at(
        lineOf("name"),
        "error",
        `name "${name}" is not lowercase letters, digits and single hyphens`,
        `try name: ${suggestName(name)}`,
      );
    const expected = options.expectedNames ?? [];
    if (expected.length > 0 && !expected.some((e) => sameSkillName(e, name)))
      at(
        lineOf("name"),
        "error",
        `name "${name}" does not match its folder "${expected[0]}"${expected[1] && expected[1] !== expected[0] ? ` or its package's "${expected[1]}"` : ""}`,
        `rename the folder or set name: ${expected[0]}`,
      );
  }

  const description = data.description;
  if (
    description === undefined ||
    description === null ||
    (typeof description === "string" && description.trim() === "")
  ) {
    at(
      description === undefined ? 1 : lineOf("description"),
      "error",
      "description is missing",
      "add description: saying what the skill does and when to use it",
    );
  } else if (typeof description !== "string") {
    at(lineOf("description"), "error", "description must be a string");
  } else if (description.length > MAX_DESCRIPTION) {
    at(
      lineOf("description"),
      "error",
      `description is ${description.length} characters; at most ${MAX_DESCRIPTION}`,
      "move detail into the body",
    );
  } else if (isTemplateDescription(description)) {
    // Agents pick a skill by its description; the template's tells them nothing.
    at(
      lineOf("description"),
      "warning",
      "the description is still the template's",
      "say what the skill does and when to use it, in one or two sentences: agents choose skills by this text",
    );
  }

  for (const key of ["license", "compatibility"] as const) {
    const v = data[key];
    if (v !== undefined && typeof v !== "string") at(lineOf(key), "error", `${key} must be a string`);
  }
  if (typeof data.compatibility === "string" && data.compatibility.length > MAX_COMPATIBILITY)
    at(
      lineOf("compatibility"),
      "error",
      `compatibility is ${data.compatibility.length} characters; at most ${MAX_COMPATIBILITY}`,
    );

  let allowedTools: string[] | undefined;
  const rawTools = data["allowed-tools"];
  if (typeof rawTools === "string") allowedTools = rawTools.split(/[\s,]+/).filter(Boolean);
  else if (Array.isArray(rawTools) && rawTools.every((t) => typeof t === "string")) allowedTools = rawTools as string[];
  else if (rawTools !== undefined && rawTools !== null)
    at(lineOf("allowed-tools"), "error", "allowed-tools must be a space-separated string or a list of strings");

  const metadata: Record<string, string> = {};
  const rawMeta = data.metadata;
  if (rawMeta !== undefined && rawMeta !== null) {
    if (typeof rawMeta !== "object" || Array.isArray(rawMeta)) {
      at(lineOf("metadata"), "error", "metadata must be a map of keys to strings");
    } else {
      for (const [k, v] of Object.entries(rawMeta)) {
        if (typeof v === "string") metadata[k] = v;
        // YAML reads `version: 1.0` as the number 1; the public validator (strictyaml) keeps every
        // scalar as the text written, so worksite reads that text back from the line.
        else if (typeof v === "number" || typeof v === "boolean" || v === null || v instanceof Date)
          metadata[k] =
            scalarAsWritten(fileLines, fm.locate(["metadata", k]).line, k) ??
            (v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? ""));
        else at(lineOf("metadata"), "error", `metadata.${k} must be a string`);
      }
    }
  }

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (STANDARD_FIELDS.has(k)) continue;
    extra[k] = v;
    const who = KNOWN_FOREIGN_FIELDS[k];
    at(
      lineOf(k),
      "note",
      `${k} is not part of the Agent Skills format${who ? ` (${who} uses it)` : ""}; kept as written, not used by worksite`,
    );
  }

  if (diagnostics.some((d) => d.severity === "error")) return fail(`${file} is not a valid skill`);
  const frontmatter: SkillFrontmatter = {
    name: name as string,
    description: (description as string).trim(),
    metadata,
    extra,
    ...(typeof data.license === "string" ? { license: data.license } : {}),
    ...(typeof data.compatibility === "string" ? { compatibility: data.compatibility } : {}),
    ...(allowedTools ? { allowedTools } : {}),
  };
  return { ok: true, frontmatter, body: fm.body, bodyLine: fm.bodyLine, diagnostics };
}

/**
 * The text of `key: value` on a frontmatter line (1-based file line, the `---` being line 1),
 * without a trailing comment; undefined when the line is not that simple form (flow maps, block scalars).
 */
function scalarAsWritten(fileLines: readonly string[], line: number, key: string): string | undefined {
  const text = fileLines[line - 1];
  if (text === undefined) return undefined;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^\\s*(["']?)${escaped}\\1\\s*:\\s+(.*?)\\s*(?:\\s#.*)?$`).exec(text);
  const raw = m?.[2];
  if (raw === undefined || raw === "" || /^[|>[{&*!]/.test(raw)) return undefined;
  return raw;
}

export function suggestName(name: string): string {
  const s = name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_NAME)
    .replace(/-+$/, "");
  return s || "my-skill";
}
