import type { Diagnostic } from "../errors.js";

/** Collects every problem of one file, so all of them are reported at once. */
export interface Collector {
  readonly file: string;
  readonly list: Diagnostic[];
  error(line: number, column: number, message: string, hint?: string): void;
  warn(line: number, column: number, message: string, hint?: string): void;
  hasErrors(): boolean;
}

export function collector(file: string): Collector {
  const list: Diagnostic[] = [];
  const add = (severity: Diagnostic["severity"]) => (line: number, column: number, message: string, hint?: string) => {
    list.push({
      file,
      line: Math.max(1, line),
      column: Math.max(1, column),
      severity,
      message,
      ...(hint ? { hint } : {}),
    });
  };
  return {
    file,
    list,
    error: add("error"),
    warn: add("warning"),
    hasErrors: () => list.some((d) => d.severity === "error"),
  };
}

/** Sort by line then column, errors and warnings interleaved as they appear in the file. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}
