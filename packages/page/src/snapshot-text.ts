/*
 * The text shape of a ref snapshot, whichever driver walked the frames:
 * frames nest under an iframe line naming their URL (the origin their refs
 * act on), and the whole is cut to a character budget at a line boundary.
 */

/** The line an iframe's content follows under, at `depth` (1 for a child of the main frame). */
export function frameHeader(depth: number, url: string): string {
  return `${"  ".repeat(depth - 1)}- iframe ${JSON.stringify(url)}:`;
}

/** Indentation of every line a frame at `depth` contributes. */
export function frameIndent(depth: number): string {
  return "  ".repeat(depth);
}

/** What is written where a frame could not be walked. */
export function frameUnavailable(indent: string): string {
  return `${indent}- text: "(frame unavailable)"`;
}

/** Whole lines within `budget` characters, and how many were left out. */
export function trimToBudget(lines: readonly string[], budget: number): { text: string; trimmed: number } {
  let used = 0;
  let kept = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    used += line.length + 1;
    kept++;
  }
  return { text: lines.slice(0, kept).join("\n"), trimmed: lines.length - kept };
}

/** The snapshot as the agent reads it (inside the untrusted envelope): title, tree, what was left out. */
export function snapshotBody(snap: { title: string; text: string; trimmed: number }, readTool: string): string {
  const more = snap.trimmed
    ? `\n- text: "… ${snap.trimmed} more lines left out (raise budget, or ${readTool} for text)"`
    : "";
  return `Title: ${snap.title}\n${snap.text}${more}`;
}

/** Fields whose card and one-time-code digits render in clear text. */
export const MASKED_FIELDS = `input[autocomplete~="cc-number" i], input[autocomplete~="cc-csc" i], input[autocomplete~="one-time-code" i],
input[name*="card" i], input[name*="cvv" i], input[name*="cvc" i], input[name*="otp" i]`;

/** Discs those digits while a screenshot is taken. */
export const MASK_CSS = `${MASKED_FIELDS} { -webkit-text-security: disc !important; }`;
