import { dirname, resolve } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { ruleMatches } from "../policy/policy.js";
import type { PermissionsDefaults, Tier } from "../policy/types.js";
import type { Collector } from "./diagnostics.js";
import { normalizeText, readFrontmatter, validateFrontmatter } from "./frontmatter.js";
import { type ParseOptions, type ParseResult, runParser, unwrap } from "./parse-result.js";
import { type ExampleAt, holdsRule, readRuleLine } from "./permission-rules.js";
import { type Cell, splitTableRow } from "./permission-table.js";
import { classifyPermissionLabel, lookupTier, TIER_COLUMN, TIER_LIST, tierGuess } from "./permission-words.js";
import { type BodyItem, splitSections } from "./sections.js";
import type { PermissionNote, PermissionsFile } from "./types.js";

export interface PermissionsParseOptions extends ParseOptions {
  /** Worksite root that path examples resolve in; defaults to the file's folder. */
  root?: string;
}

/** Used when PERMISSIONS.md names no default: reading is safe, changing anything asks a person. */
export const DEFAULT_TIERS: PermissionsDefaults = { read: "read-only", write: "confirm", external: "confirm" };

const TIER_NAMES = ["allow", "read-only", "draft", "confirm", "forbidden"] as const;
/** "is `maybe`; expected one of …": the frontmatter reader puts the setting's name in front. */
const notATier = (iss: { input?: unknown }) => `is ${shownValue(iss.input)}; expected one of ${TIER_NAMES.join(", ")}`;
/**
 * The value as a message shows it: never serialised whole, since a YAML alias bomb's value
 * would be gigabytes of text (issue 21), and a long string is cut.
 */
function shownValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return value instanceof Date ? "a date" : "a map";
  const text = String(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}…` : text}\``;
}
const tier = z.preprocess(
  (v) => (typeof v === "string" ? (lookupTier(v) ?? v) : v),
  // A string first, so a { read: … } object fails here on its type and the per-effect form explains what is wrong.
  z.string({ error: notATier }).pipe(z.enum(TIER_NAMES, { error: notATier })),
);
const settingsSchema = z.strictObject({
  default: z
    .union([tier, z.strictObject({ read: tier.optional(), write: tier.optional(), external: tier.optional() })], {
      error: "expected a tier, or one per effect: { read: read-only, write: confirm, external: confirm }",
    })
    .optional(),
});
const HINTS = {
  default: "e.g. `default: confirm`, or `default: { read: read-only, write: confirm, external: forbidden }`",
};

export function safeParsePermissions(text: string, options: PermissionsParseOptions): ParseResult<PermissionsFile> {
  return runParser(options.file, (d) => parsePermissionsWith(text, options, d));
}

export function parsePermissions(text: string, options: PermissionsParseOptions): PermissionsFile {
  return unwrap(safeParsePermissions(text, options), options.file);
}

function parsePermissionsWith(input: string, options: PermissionsParseOptions, d: Collector): PermissionsFile {
  const file = options.file;
  const fm = readFrontmatter(normalizeText(input), d);
  const settings =
    validateFrontmatter(settingsSchema, fm, d, { "": ["default"], default: ["read", "write", "external"] }, HINTS) ??
    {};
  const given = settings.default;
  const defaults: PermissionsDefaults =
    typeof given === "string"
      ? { read: given, write: given, external: given }
      : { ...DEFAULT_TIERS, ...stripUndefined(given ?? {}) };

  const out: PermissionsFile = { file, defaults, rules: [], notes: [] };
  const examples: ExampleAt[] = [];
  const body = splitSections(fm.body, fm.bodyLine, classifyPermissionLabel);
  const ctx: Ctx = { d, out, examples };

  readItems(ctx, body.preamble, undefined, false);
  for (const section of body.sections) {
    const key = section.key;
    if ((key === undefined || key === "typo") && holdsTierTable(section.items)) {
      readItems(ctx, section.items, undefined, false);
      continue;
    }
    if (key === undefined || key === "typo") {
      const guess = tierGuess(section.label);
      d.error(
        section.line,
        section.column,
        `unknown tier "${section.label}"`,
        guess ? `did you mean "${guess}"? Tiers are ${TIER_LIST}` : `tiers are ${TIER_LIST}`,
      );
      continue;
    }
    if (key === "container") readItems(ctx, section.items, undefined, false);
    else if (key === "notes") readItems(ctx, section.items, undefined, true);
    else readItems(ctx, section.items, key as Tier, false);
  }
  checkExamples(examples, options.root ?? dirname(resolve(file)), d);
  return out;
}

interface Ctx {
  d: Collector;
  out: PermissionsFile;
  examples: ExampleAt[];
}

function readItems(ctx: Ctx, items: BodyItem[], tier: Tier | undefined, notes: boolean): void {
  const { d, out } = ctx;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!item.bullet && !item.fenced && item.raw.trimStart().startsWith("|")) {
      const rows: BodyItem[] = [];
      while (i < items.length && !items[i]!.bullet && items[i]!.raw.trimStart().startsWith("|")) rows.push(items[i++]!);
      i--;
      readPipeTable(ctx, rows);
      continue;
    }
    if (!item.bullet && !item.fenced && isPlainTableHeader(item.text)) {
      let current: Tier | undefined;
      let currentOk = false;
      for (i++; i < items.length && !items[i]!.afterBlank && !items[i]!.bullet; i++) {
        const row = items[i]!;
        const continued = row.column > 1;
        const cell = continued ? undefined : /^(.+?)(?:\s{2,}|\t|(?=`))(.*)$/.exec(row.text);
        const tierText = continued ? undefined : (cell?.[1] ?? row.text).trim();
        const rest = continued ? row.text : (cell?.[2] ?? "");
        if (tierText !== undefined) {
          current = lookupTier(tierText);
          currentOk = current !== undefined;
          if (!current) reportUnknownTier(d, tierText, row.line, row.column);
        }
        if (!currentOk || !current || rest.trim() === "") continue;
        readLine(ctx, rest, current, row.line, row.column + row.text.length - rest.length);
      }
      i--;
      continue;
    }
    if (tier) {
      readLine(ctx, item.text, tier, item.line, item.column);
    } else if (notes) {
      out.notes.push({ text: item.text, source: { file: d.file, line: item.line, column: item.column } });
    } else if (/`\s*(\*|[A-Za-z_*?][\w*?-]*\.[\w*?-]+)/.test(item.text)) {
      d.error(
        item.line,
        item.column,
        "this rule is under no tier",
        `put it under a tier heading such as \`## Allow\` or \`允许:\`; tiers are ${TIER_LIST}`,
      );
    }
  }
}

function readLine(ctx: Ctx, text: string, tier: Tier, line: number, column: number): void {
  const r = readRuleLine(text, tier, line, column, ctx.d);
  for (const rule of r.rules) ctx.out.rules.push(rule);
  for (const example of r.examples) ctx.examples.push(example);
  if (r.note !== undefined) {
    const note: PermissionNote = { tier, text: r.note.trim(), source: { file: ctx.d.file, line, column } };
    if (note.text) ctx.out.notes.push(note);
  }
}

function isPlainTableHeader(text: string): boolean {
  return /^(tiers?|levels?|层级|级别)(\s{2,}|\t)\S/i.test(text.trim());
}

function reportUnknownTier(d: Collector, text: string, line: number, column: number): void {
  const guess = tierGuess(text);
  d.error(
    line,
    column,
    `unknown tier "${text}"`,
    guess ? `did you mean "${guess}"? Tiers are ${TIER_LIST}` : `tiers are ${TIER_LIST}`,
  );
}

function readPipeTable(ctx: Ctx, rows: BodyItem[]): void {
  const { d } = ctx;
  const cells = rows.map((r) => ({ row: r, cells: splitTableRow(r.raw, d, r.line) }));
  const isSeparator = (c: { text: string }[]) => c.length > 0 && c.every((x) => /^:?-+:?$/.test(x.text.trim()));
  let tierColumn = 0;
  let start = 0;
  if (cells.length > 1 && cells[1]!.cells && isSeparator(cells[1]!.cells)) {
    const header = cells[0]!.cells ?? [];
    const found = header.findIndex((c) => TIER_COLUMN.test(c.text.trim()));
    tierColumn = Math.max(found, 0);
    start = 2;
  }
  for (const { row, cells: rowCells } of cells.slice(start)) {
    if (!rowCells || isSeparator(rowCells)) continue;
    const tierCell = rowCells[tierColumn];
    if (!tierCell || rowCells.every((c) => c.text.trim() === "")) continue;
    const tier = lookupTier(tierCell.text);
    if (!tier) {
      reportUnknownTier(d, tierCell.text.trim(), row.line, tierCell.column);
      continue;
    }
    const others = rowCells.filter((c, n) => n !== tierColumn && c.text.trim() !== "");
    const ruleCells = others.filter((c) => holdsRule(c.text));
    if (!ruleCells.length) {
      noteRow(ctx, others, tier, row.line);
      continue;
    }
    // A row with rules: its other cells ("why", "notes") explain those rules; they are not rules of their own.
    const before = ctx.out.rules.length;
    for (const c of ruleCells) {
      const lead = c.text.length - c.text.trimStart().length;
      readLine(ctx, c.text.trim(), tier, row.line, c.column + lead);
    }
    const why = others.filter((c) => !ruleCells.includes(c)).map((c) => c.text.trim());
    if (why.length) {
      for (const rule of ctx.out.rules.slice(before)) rule.note = [rule.note, ...why].filter(Boolean).join("; ");
    }
  }
}

/** A row with no rule is one note for people: its cells joined, at the first cell. */
function noteRow(ctx: Ctx, cells: Cell[], tier: Tier, line: number): void {
  const texts: string[] = [];
  for (const c of cells) {
    const lead = c.text.length - c.text.trimStart().length;
    // Read each cell on its own so a `span` that is not a rule is warned about at its own column.
    const r = readRuleLine(c.text.trim(), tier, line, c.column + lead, ctx.d);
    const text = r.note?.trim();
    if (text) texts.push(text);
  }
  const first = cells[0];
  if (!texts.length || !first) return;
  const column = first.column + first.text.length - first.text.trimStart().length;
  ctx.out.notes.push({ tier, text: texts.join(" — "), source: { file: ctx.d.file, line, column } });
}

/** An unknown heading above a table of tiers (`## Tiers table`, `## Permission table`) only contains it. */
function holdsTierTable(items: BodyItem[]): boolean {
  return items.some((item) => {
    if (item.bullet || item.fenced) return false;
    if (isPlainTableHeader(item.text)) return true;
    if (!item.raw.trimStart().startsWith("|")) return false;
    const cells = item.raw.split("|").map((c) => c.trim());
    return cells.some((c) => TIER_COLUMN.test(c) || lookupTier(c) !== undefined);
  });
}

function checkExamples(examples: ExampleAt[], root: string, d: Collector): void {
  for (const ex of examples) {
    let matches: boolean;
    try {
      matches = ruleMatches(ex.rule, ex.rule.tool, ex.value, root);
    } catch (error) {
      if (UserError.isUserError(error)) {
        d.error(
          ex.line,
          ex.column,
          `\`${ex.rule.text}\` cannot be checked: ${error.message}`,
          error.hint ?? "fix the rule's pattern",
        );
        continue;
      }
      // Until the policy matcher exists (or if it fails), examples cannot be checked; loading must not fail for that.
      if (error instanceof Error && error.message === "not implemented") return;
      d.warn(
        ex.line,
        ex.column,
        `the example "${ex.value}" could not be checked: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (ex.kind === "match" && !matches)
      d.error(
        ex.line,
        ex.column,
        `\`${ex.rule.text}\` does not match its example "${ex.value}"`,
        "fix the rule's pattern or the example: `*` matches within one path or host segment, `**` across segments",
      );
    if (ex.kind === "notMatch" && matches)
      d.error(
        ex.line,
        ex.column,
        `\`${ex.rule.text}\` matches "${ex.value}", which its not_match example says it must not`,
        "narrow the rule's pattern, or fix the example",
      );
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
