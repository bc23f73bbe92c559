import { join } from "node:path";
import { type Diagnostic, UserError } from "../errors.js";
import { sortDiagnostics } from "./diagnostics.js";
import { safeParseGoal } from "./parse-goal.js";
import { safeParsePermissions } from "./parse-permissions.js";
import type { ParseResult } from "./parse-result.js";
import { safeParseThread } from "./parse-thread.js";
import { readTextWithin, SIZE_LIMITS, tooBigDiagnostic } from "./size-limits.js";
import type { Worksite } from "./types.js";

export const WORKSITE_FILES = ["THREAD.md", "GOAL.md", "PERMISSIONS.md"] as const;

/** How to get a worksite file under its limit: they are read whole at every check and round. */
const WORKSITE_FILE_TOO_BIG =
  "THREAD.md, GOAL.md and PERMISSIONS.md are read whole at every check and round; keep each under the limit: write a pattern rule (`file.write(src/**)`) instead of one rule per file, and move long lists into a file a verify command reads";

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
    const got = await readTextWithin(path, SIZE_LIMITS.worksiteFile);
    if (got.ok) return got.text;
    if (got.problem === "too-big") {
      diagnostics.push(tooBigDiagnostic(path, name, got.size, got.limit, WORKSITE_FILE_TOO_BIG));
      return undefined;
    }
    const missing = got.problem === "missing";
    diagnostics.push({
      file: path,
      line: 1,
      severity: "error",
      message: missing
        ? `${name} is missing`
        : got.problem === "not-a-file"
          ? `${name} is not a file`
          : `${name} cannot be read (${got.code ?? "unknown error"})`,
      hint: missing
        ? "create it with: worksite init (it keeps files that already exist)"
        : got.problem === "not-a-file"
          ? `replace it with a text file named ${name}`
          : "check the file's permissions",
    });
    return undefined;
  };
  const [threadText, goalText, permissionsText] = await Promise.all(WORKSITE_FILES.map(read));
  const take = <T>(result: ParseResult<T> | undefined): T | undefined => {
    if (!result) return undefined;
    if (!result.ok) {
      for (const x of result.diagnostics) diagnostics.push(x);
      return undefined;
    }
    for (const x of result.warnings) diagnostics.push(x);
    return result.value;
  };
  const thread = take(
    threadText === undefined ? undefined : safeParseThread(threadText, { file: join(root, "THREAD.md") }),
  );
  const goal = take(goalText === undefined ? undefined : safeParseGoal(goalText, { file: join(root, "GOAL.md") }));
  const permissions = take(
    permissionsText === undefined
      ? undefined
      : safeParsePermissions(permissionsText, { file: join(root, "PERMISSIONS.md"), root }),
  );
  if (!thread || !goal || !permissions || diagnostics.some((x) => x.severity === "error"))
    return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
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
