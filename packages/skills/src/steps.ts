import { load } from "js-yaml";
import { z } from "zod";
import {
  type Diagnostic,
  didYouMean,
  firstAliasLine,
  UserError,
  YAML_EXPANSION_HINT,
  YAML_EXPANSION_MESSAGE,
  yamlExpandsTooFar,
} from "@worksite/core";
import type { SkillStep } from "./types.js";

// The same YAML reader as the worksite files' frontmatter (core), so a step and a setting read alike.
const yaml = { parse: (text: string): unknown => load(text) };

const toolId = z.string({ error: "a step needs a tool" }).regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/, {
  error: (iss) => `\`${String(iss.input)}\` is not a tool id: write plugin.tool, such as shell.run or browser.open`,
});

export const stepSchema = z.looseObject({
  tool: toolId,
  input: z.record(z.string(), z.unknown()).default({}),
  id: z.string().min(1).optional(),
  note: z.string().optional(),
});

export const stepsSchema = z.array(stepSchema).min(1, "the Steps block has no steps");

export interface ParsedSteps {
  steps: SkillStep[];
  variables: string[];
  /** Tool ids that look like a slip for a known tool: the skill still loads. */
  warnings: Diagnostic[];
}

/**
 * Parses the fenced yaml block of a Steps section. `firstLine` is the 1-based
 * line of the block's first YAML line in SKILL.md, so every error points there.
 * `knownTools` (the tool ids a run would have, which only the caller can know)
 * turns on the typo warnings; without it only the plugin.tool shape is checked.
 */
export function parseSteps(
  yamlText: string,
  file: string,
  firstLine: number,
  knownTools?: readonly string[],
): ParsedSteps {
  let raw: unknown;
  try {
    raw = yaml.parse(yamlText);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? String(error);
    throw stepsError(file, firstLine + (mark?.line ?? 0), `the Steps block is not valid YAML: ${reason}`);
  }
  // Checked before the schema or stepVariables walk it: aliases can make a few lines stand for billions of values.
  if (yamlExpandsTooFar(raw, yamlText.length)) {
    throw stepsError(
      file,
      firstLine + firstAliasLine(yamlText.split("\n")),
      `the Steps block's ${YAML_EXPANSION_MESSAGE}; ${YAML_EXPANSION_HINT}`,
    );
  }
  const parsed = stepsSchema.safeParse(raw);
  if (!parsed.success) {
    const itemLines = topLevelItemLines(yamlText);
    const diagnostics: Diagnostic[] = parsed.error.issues.map((issue) => {
      const [index, key] = issue.path;
      const line =
        typeof index === "number"
          ? lineOfKey(yamlText, itemLines, index, typeof key === "string" ? key : undefined)
          : 0;
      const where = typeof index === "number" ? `step ${index + 1}${typeof key === "string" ? ` ${key}` : ""}: ` : "";
      return {
        file,
        line: firstLine + line,
        severity: "error" as const,
        message: `${where}${issue.message}`,
        hint: "each step is { tool: plugin.tool, input: { … } }",
      };
    });
    throw new UserError(`${file} has invalid steps`, { diagnostics });
  }
  const steps = parsed.data as SkillStep[];
  const itemLines = topLevelItemLines(yamlText);
  const warnings: Diagnostic[] = steps.flatMap((step, index) => {
    const typo = knownTools ? toolTypo(step.tool, knownTools) : undefined;
    if (!typo) return [];
    return [
      {
        file,
        line: firstLine + lineOfKey(yamlText, itemLines, index, "tool"),
        severity: "warning" as const,
        message: `step ${index + 1}: ${typo.message}`,
        hint: typo.hint,
      },
    ];
  });
  return { steps, variables: stepVariables(steps), warnings };
}

/**
 * Why a step's tool id looks like a slip for a known one, or undefined. Tools of
 * plugins not in the list are fine as long as their plugin name is not one letter
 * away from a known plugin's: `mail.send` passes, `shel.run` and `file.wrte` do not.
 */
export function toolTypo(id: string, known: readonly string[]): { message: string; hint: string } | undefined {
  if (known.includes(id)) return undefined;
  const plugins = [...new Set(known.map((t) => t.split(".")[0]!))];
  const dot = id.indexOf(".");
  const plugin = id.slice(0, dot);
  const tool = id.slice(dot + 1);
  const ownTools = (p: string) => known.filter((t) => t.startsWith(`${p}.`)).map((t) => t.slice(p.length + 1));
  if (plugins.includes(plugin)) {
    const guess = didYouMean(tool, ownTools(plugin));
    return {
      message: `\`${id}\` is not a ${plugin} tool`,
      hint: guess ? `did you mean \`${plugin}.${guess}\`?` : `${plugin} tools are ${ownTools(plugin).join(", ")}`,
    };
  }
  const nearPlugin = didYouMean(plugin, plugins);
  if (!nearPlugin) return undefined;
  const guess = ownTools(nearPlugin).includes(tool) ? `${nearPlugin}.${tool}` : didYouMean(id, known);
  return {
    message: `\`${id}\` is not a known tool`,
    hint: guess
      ? `did you mean \`${guess}\`?`
      : `${nearPlugin} tools are ${ownTools(nearPlugin)
          .map((t) => `${nearPlugin}.${t}`)
          .join(", ")}`,
  };
}

function stepsError(file: string, line: number, message: string): UserError {
  return new UserError(`${file} has invalid steps`, { diagnostics: [{ file, line, severity: "error", message }] });
}

/** 0-based line of each top-level list item (`- …` at the block's smallest indent). */
function topLevelItemLines(text: string): number[] {
  const lines = text.split("\n");
  const indents = lines.filter((l) => /^\s*- /.test(l) || /^\s*-$/.test(l)).map((l) => l.length - l.trimStart().length);
  let min = Number.POSITIVE_INFINITY;
  for (const indent of indents) min = Math.min(min, indent);
  return lines.flatMap((l, i) => (/^\s*-( |$)/.test(l) && l.length - l.trimStart().length === min ? [i] : []));
}

function lineOfKey(text: string, items: number[], index: number, key: string | undefined): number {
  const start = items[index] ?? 0;
  if (!key) return start;
  const end = items[index + 1] ?? text.split("\n").length;
  const lines = text.split("\n");
  for (let i = start; i < end; i++) if (new RegExp(`^\\s*(- )?${key}\\s*:`).test(lines[i]!)) return i;
  return start;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/**
 * The variables a skill needs from the round: every `{{name}}` in the steps'
 * values, in first-use order. `{{steps.ID.FIELD}}` is an earlier step's result,
 * filled by the script agent as it goes, so it is not asked of anyone.
 */
export function stepVariables(steps: SkillStep[]): string[] {
  return placeholders(steps).filter((v) => !v.startsWith("steps."));
}

/** Every `{{name}}` used anywhere in a value, in first-use order. */
export function placeholders(value: unknown, found: string[] = []): string[] {
  // A stack and a Set, not recursion and found.includes(): a 1 MiB Steps block may nest deep or hold 100,000 names.
  const seen = new Set(found);
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      for (const m of v.matchAll(PLACEHOLDER)) {
        if (seen.has(m[1]!)) continue;
        seen.add(m[1]!);
        found.push(m[1]!);
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v && typeof v === "object") {
      const values = Object.values(v);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return found;
}

/**
 * Fills `{{name}}` placeholders for the script agent; dotted names look into
 * nested values (`{{steps.read.content}}`). A value that is exactly one
 * placeholder takes the variable's type (a number stays a number). Missing
 * variables are the user's mistake, all named at once.
 */
export function renderSteps(steps: SkillStep[], vars: Record<string, unknown>): SkillStep[] {
  const missing = placeholders(steps).filter((v) => lookup(vars, v) === undefined);
  if (missing.length > 0)
    throw new UserError(`the skill needs ${missing.map((m) => `{{${m}}}`).join(", ")}`, {
      hint: `pass ${missing.map((m) => `${m}=…`).join(" ")}`,
    });
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") {
      const whole = /^\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}$/.exec(value);
      if (whole) return lookup(vars, whole[1]!);
      return value.replace(PLACEHOLDER, (_, name: string) => String(lookup(vars, name)));
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return steps.map((s) => fill(s) as SkillStep);
}

function lookup(vars: Record<string, unknown>, name: string): unknown {
  if (name in vars) return vars[name];
  let value: unknown = vars;
  for (const part of name.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
