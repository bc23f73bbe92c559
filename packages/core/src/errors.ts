/**
 * One error base for every package. `isInstance` checks a marker instead of
 * `instanceof`, so it works across duplicated copies of @worksite/core in a
 * dependency tree (the same trick the MCP SDK uses for its errors).
 */
const MARKER = Symbol.for("worksite.error");

export type ErrorCode =
  | "user"
  | "parse"
  | "policy"
  | "refused"
  | "not-found"
  | "plugin-missing"
  | "tool-failed"
  | "audit-corrupt"
  | "secret"
  | "locked"
  | "internal";

export class WorksiteError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorksiteError";
    this.code = code;
  }

  static isInstance(value: unknown): value is WorksiteError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Where in a user's file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

export interface Diagnostic extends SourceLocation {
  severity: "error" | "warning" | "note";
  message: string;
  /** How to fix it, in one sentence a user can act on. */
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}${d.column ? `:${d.column}` : ""}`;
  return `${where}: ${d.severity}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ""}`;
}

/**
 * A mistake the user can fix. The CLI prints it without a stack trace.
 * It carries every diagnostic found, not just the first.
 */
export class UserError extends WorksiteError {
  readonly diagnostics: Diagnostic[];
  readonly hint: string | undefined;

  constructor(message: string, options?: { diagnostics?: Diagnostic[]; hint?: string; cause?: unknown }) {
    super("user", message, options);
    this.name = "UserError";
    this.diagnostics = options?.diagnostics ?? [];
    this.hint = options?.hint;
  }

  static isUserError(value: unknown): value is UserError {
    return WorksiteError.isInstance(value) && value.code === "user";
  }
}
