import { parseDuration } from "../text/duration.js";

/** What a `wake:` value says, once it reads well (wakeProblem is undefined). */
export type WakeSpec =
  | { kind: "interval"; ms: number }
  | { kind: "cron"; expression: string; timezone?: string }
  | { kind: "once"; at: string };

/** A one-shot time: an ISO date-time with a zone (`2026-12-24T09:00Z`, `…+01:00`), so it means one instant everywhere. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a `wake:` value that wakeProblem accepts; undefined for one it does not. */
export function wakeSpec(value: string): WakeSpec | undefined {
  if (wakeProblem(value) !== undefined) return undefined;
  const v = value.trim();
  const interval = parseDuration(v);
  if (interval !== undefined) return { kind: "interval", ms: interval };
  if (ISO_TIME.test(v)) return { kind: "once", at: new Date(v).toISOString() };
  const { expression, timezone } = splitTimezone(v);
  return { kind: "cron", expression, ...(timezone ? { timezone } : {}) };
}

/** A cron expression may end with an IANA zone (`0 9 * * 1-5 Europe/Berlin`); without one it is the machine's local time. */
function splitTimezone(v: string): { expression: string; timezone?: string } {
  const fields = v.split(/\s+/);
  const last = fields.at(-1)!;
  if (
    fields.length > 1 &&
    (last.includes("/") ? /^[A-Za-z_]+\/[A-Za-z_+\-/0-9]+$/.test(last) : /^(UTC|GMT)$/i.test(last))
  )
    return { expression: fields.slice(0, -1).join(" "), timezone: last };
  return { expression: v };
}

function timezoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
  }
}

/**
 * `wake:` is an interval (`30m`, `2h`, `1d`, `45s`), a cron expression (5
 * fields, or 6 with seconds first; `@hourly` style nicknames) with an optional
 * IANA time zone after it, or a one-shot ISO time with its zone. Returns what
 * is wrong, or undefined when it is fine.
 */
export function wakeProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return "is empty";
  const interval = parseDuration(trimmed);
  if (interval !== undefined) return interval > 0 ? undefined : "an interval must be longer than zero";
  if (ISO_TIME.test(trimmed)) return Number.isNaN(Date.parse(trimmed)) ? `"${trimmed}" is not a real time` : undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed))
    return `"${trimmed}" needs a time and a zone to be a one-shot wake, e.g. 2026-12-24T09:00:00Z`;
  const { expression: v, timezone } = splitTimezone(trimmed);
  if (timezone) {
    const problem = timezoneProblem(timezone);
    if (problem) return problem;
  }
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
