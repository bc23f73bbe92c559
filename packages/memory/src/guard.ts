import { type Diagnostic, scanSecrets, UserError } from "@worksite/core";

/** A line that only a merge tool writes. Matching whole lines keeps prose that mentions "<<<" legal. */
export const conflictMarker = /^(<{7}|>{7})(?: .*)?$|^={7}$/;

/** Problems that must never reach a commit: secrets and conflict markers, each with its line. */
export function contentProblems(file: string, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of scanSecrets(text))
    out.push({
      file,
      line: s.line,
      column: s.column,
      severity: "error",
      message: `secret (${s.kind})`,
      hint: "remove it; keep credentials in the environment, never in memory",
    });
  text.split(/\r?\n/).forEach((line, i) => {
    if (conflictMarker.test(line))
      out.push({
        file,
        line: i + 1,
        severity: "error",
        message: "conflict marker",
        hint: "keep both versions as prose and set status: conflicted",
      });
  });
  return out;
}

/** Refuses, whoever asks, to commit content with a secret or a conflict marker. */
export function assertCommittable(
  files: ReadonlyArray<{ file: string; text: string }>,
  name: (file: string) => string = (f) => f,
): void {
  const diagnostics = files.flatMap((f) => contentProblems(f.file, f.text));
  if (!diagnostics.length) return;
  const kinds = [...new Set(diagnostics.map((d) => d.message))].join(", ");
  throw new UserError(
    `refusing to commit memory: ${kinds} in ${[...new Set(diagnostics.map((d) => name(d.file)))].join(", ")}`,
    {
      diagnostics,
      hint: "remove it from the entry, then commit again",
    },
  );
}
