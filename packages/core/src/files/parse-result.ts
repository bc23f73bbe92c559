import { type Diagnostic, UserError } from "../errors.js";
import { type Collector, collector, sortDiagnostics } from "./diagnostics.js";

export type ParseResult<T> = { ok: true; value: T; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export interface ParseOptions {
  /** The name used in every message: a path as the user should see it. */
  file: string;
}

/** Marks a parser bug: the fuzz test asserts it never appears. */
export const INTERNAL_PARSE_ERROR = "internal error while reading this file";

/**
 * Runs a parser with a collector. A parser reports problems as diagnostics and
 * never throws; if it does anyway that is our bug, still reported as a
 * diagnostic so no stack trace reaches a user.
 */
export function runParser<T>(file: string, parse: (d: Collector) => T): ParseResult<T> {
  const d = collector(file);
  let value: T;
  try {
    value = parse(d);
  } catch (error) {
    d.error(
      1,
      1,
      `${INTERNAL_PARSE_ERROR}: ${error instanceof Error ? error.message : String(error)}`,
      "this is a worksite bug; please report it with the file attached",
    );
    return { ok: false, diagnostics: sortDiagnostics(d.list) };
  }
  if (d.hasErrors()) return { ok: false, diagnostics: sortDiagnostics(d.list) };
  return { ok: true, value, warnings: sortDiagnostics(d.list) };
}

export function unwrap<T>(result: ParseResult<T>, file: string): T {
  if (result.ok) return result.value;
  const errors = result.diagnostics.filter((x) => x.severity === "error").length;
  throw new UserError(`${file} has ${errors} ${errors === 1 ? "error" : "errors"}`, {
    diagnostics: result.diagnostics,
    hint: "fix the lines above, then run worksite check",
  });
}
