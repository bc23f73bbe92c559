import { globMatches } from "@worksite/core";

/**
 * Trigger paths use the same globs as PERMISSIONS.md, plus .gitignore's habit:
 * a pattern without a slash matches a file name at any depth (`*.css`).
 */
const options = { separator: "/", matchBase: true } as const;

export function matchesGlob(path: string, glob: string): boolean {
  return globMatches(glob.replace(/^\.\//, ""), path.replace(/\\/g, "/").replace(/^\.\//, ""), options);
}
