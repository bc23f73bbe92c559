import type { Stage } from "@worksite/core";

/**
 * THREAD.md with its frontmatter `stage:` set to `stage`, everything else as the person wrote it.
 * Returns undefined when the frontmatter is not the plain `key: value` form this can edit safely.
 */
export function withStage(text: string, stage: Stage): string | undefined {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== "---") return [`---`, `stage: ${stage}`, `---`, ...lines].join(eol);
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
  if (end < 0) return undefined;
  const at = lines.findIndex((l, i) => i > 0 && i < end && /^stage\s*:/.test(l));
  if (at >= 0) {
    const comment = / #.*$/.exec(lines[at]!)?.[0] ?? "";
    lines[at] = `stage: ${stage}${comment}`;
  } else {
    // A flow-style frontmatter (`{ stage: … }` on one line) is not ours to rewrite.
    if (lines.slice(1, end).some((l) => /^\s*\{/.test(l))) return undefined;
    lines.splice(1, 0, `stage: ${stage}`);
  }
  return lines.join(eol);
}
