import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, UserError } from "../errors.js";
import { sortDiagnostics } from "./diagnostics.js";
import { safeParseGoal } from "./parse-goal.js";
import { safeParsePermissions } from "./parse-permissions.js";
import type { ParseResult } from "./parse-result.js";
import { safeParseThread } from "./parse-thread.js";
import type { Worksite } from "./types.js";

export const WORKSITE_FILES = ["THREAD.md", "GOAL.md", "PERMISSIONS.md"] as const;

export type LoadResult = { ok: true; value: Worksite } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Reads and parses THREAD.md, GOAL.md and PERMISSIONS.md from a worksite root.
 * Every problem of every file is collected, so one run shows them all.
 * Diagnostics name files by their full path.
 */
export async function safeLoadWorksite(root: string): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [];
  const read = async (name: string): Promise<string | undefined> => {
    const path = join(root, name);
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      diagnostics.push({
        file: path,
        line: 1,
        severity: "error",
        message: code === "ENOENT" ? `${name} is missing` : `${name} cannot be read (${code ?? String(error)})`,
        hint: code === "ENOENT" ? "create it with: worksite init (it keeps files that already exist)" : "check the file's permissions",
      });
      return undefined;
    }
  };
  const [threadText, goalText, permissionsText] = await Promise.all(WORKSITE_FILES.map(read));
  const take = <T>(result: ParseResult<T> | undefined): T | undefined => {
    if (!result) return undefined;
    if (!result.ok) {
      diagnostics.push(...result.diagnostics);
      return undefined;
    }
    diagnostics.push(...result.warnings);
    return result.value;
  };
  const thread = take(threadText === undefined ? undefined : safeParseThread(threadText, { file: join(root, "THREAD.md") }));
  const goal = take(goalText === undefined ? undefined : safeParseGoal(goalText, { file: join(root, "GOAL.md") }));
  const permissions = take(permissionsText === undefined ? undefined : safeParsePermissions(permissionsText, { file: join(root, "PERMISSIONS.md"), root }));
  if (!thread || !goal || !permissions || diagnostics.some((x) => x.severity === "error")) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  return { ok: true, value: { root, thread, goal, permissions, diagnostics: sortDiagnostics(diagnostics) } };
}

/** Like safeLoadWorksite, but throws one UserError carrying every diagnostic. */
export async function loadWorksite(root: string): Promise<Worksite> {
  const result = await safeLoadWorksite(root);
  if (result.ok) return result.value;
  const errors = result.diagnostics.filter((x) => x.severity === "error").length;
  throw new UserError(`the worksite has ${errors} ${errors === 1 ? "error" : "errors"}`, {
    diagnostics: result.diagnostics,
    hint: "fix the lines above, then run worksite check",
  });
}
