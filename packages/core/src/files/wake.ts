import { parseDuration } from "../text/duration.js";

/**
 * `wake:` is either an interval (`30m`, `2h`, `1d`, `45s`) or a cron expression
 * (5 fields, or 6 with seconds first; `@hourly` style nicknames). Returns what
 * is wrong, or undefined when it is fine.
 */
export function wakeProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return "is empty";
  const interval = parseDuration(v);
  if (interval !== undefined) return interval > 0 ? undefined : "an interval must be longer than zero";
  if (/^\d+$/.test(v)) return `"${v}" has no unit`;
  if (v.startsWith("@")) {
    return ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"].includes(v.toLowerCase())
      ? undefined
      : `"${v}" is not a cron nickname (@hourly, @daily, @weekly, @monthly, @yearly)`;
  }
  const fields = v.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6)
    return `"${v}" is neither an interval nor a cron expression (5 or 6 fields, found ${fields.length})`;
  const specs = fields.length === 6 ? [SECOND, ...FIVE] : FIVE;
  for (let i = 0; i < fields.length; i++) {
    const problem = fieldProblem(fields[i]!, specs[i]!);
    if (problem) return `cron field ${i + 1} (${specs[i]!.name}) "${fields[i]}": ${problem}`;
  }
  return undefined;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?`, `L`, `W`, `#` as cron dialects allow in day fields. */
  special?: RegExp;
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const FIVE: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, special: /^(\?|L|\d{1,2}W|LW)$/i },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  {
    name: "day of week",
    min: 0,
    max: 7,
    names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    special: /^(\?|[0-7]L|[0-7]#[1-5])$/i,
  },
];

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  for (const part of field.split(",")) {
    if (part === "") return "empty list item";
    if (spec.special?.test(part)) continue;
    const [range, step, extra] = part.split("/");
    if (extra !== undefined) return "more than one /";
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))
      return `step "${step}" must be a positive number`;
    if (range === "*") continue;
    const bounds = range!.split("-");
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values: number[] = [];
    for (const b of bounds) {
      const n = fieldValue(b, spec);
      if (n === undefined) return `"${b}" is not a ${spec.name} (${spec.min}-${spec.max})`;
      values.push(n);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function fieldValue(text: string, spec: FieldSpec): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const at = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return at >= 0 ? at + spec.min : undefined;
}
