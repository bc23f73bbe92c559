/*
 * The floor no rule can lower: paths inside a worksite that only a person (by
 * hand) or the runtime itself writes. The gate refuses agent writes to them
 * whatever PERMISSIONS.md says, and the sandbox mounts them read-only under
 * every command. Paths are worksite-relative with forward slashes.
 */

/** The person's contract with the agent. */
export const WORKSITE_FILES = ["THREAD.md", "GOAL.md", "PERMISSIONS.md"] as const;

/** Folders at the worksite root that hold runtime state and evidence. */
export const CONTROL_FOLDERS = [".worksite", "artifacts"] as const;

/** Files the runtime writes as its report. */
export const RUNTIME_FILES = ["PROGRESS.md"] as const;

/**
 * Whether an agent write to `relative` (worksite-relative, already normalised)
 * touches control state. Case-insensitive, since macOS and Windows file
 * systems are; any `.git` segment or `.gitmodules` counts, because git runs
 * what its control files say (core.fsmonitor, hooks).
 */
export function isControlPath(relative: string): boolean {
  const parts = relative.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) return false;
  const lower = parts.map((p) => p.toLowerCase());
  const first = lower[0]!;
  if (lower.length === 1 && [...WORKSITE_FILES, ...RUNTIME_FILES].some((f) => f.toLowerCase() === first)) return true;
  if (CONTROL_FOLDERS.some((f) => f === first)) return true;
  return lower.some((p) => p === ".git" || p === ".gitmodules");
}
