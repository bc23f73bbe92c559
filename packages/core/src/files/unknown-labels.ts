import type { Collector } from "./diagnostics.js";
import { didYouMean } from "./did-you-mean.js";
import { type Body, normalizeLabel } from "./sections.js";

/**
 * Warns about a line written as a label (`Stop wehn:`, `交付物：`) that the file's vocabulary does not
 * know, as an unknown heading is warned about: its lines are read as part of the section above, which
 * is rarely what the person meant. Prose that merely contains a colon ("Use pnpm: it is faster") is
 * left alone: only a short label standing on its own line, or one a slip away from a known label, counts.
 */
export function warnUnknownLabels(
  body: Body,
  vocabulary: ReadonlyMap<string, string>,
  d: Collector,
  fileName: string,
  known: string,
): void {
  const words = [...vocabulary.keys()];
  for (const l of body.unknownLabels) {
    const label = normalizeLabel(l.label);
    if (!label || /^(https?|file|mailto|ftp|ssh)$/.test(label)) continue;
    const guess = didYouMean(label, words);
    const short = label.split(/\s+/).length <= 3 && [...label].length <= 30;
    if (!guess && !(short && l.rest === "")) continue;
    d.warn(
      l.line,
      l.column,
      `"${l.label}:" is not a label ${fileName} knows, so the lines under it stay in the section above`,
      guess ? `did you mean "${guess}:"? ${fileName} labels are: ${known}` : `${fileName} labels are: ${known}`,
    );
  }
}
