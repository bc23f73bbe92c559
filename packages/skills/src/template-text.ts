/**
 * Text `worksite skill new` writes for the author to replace. Kept here, not in
 * scaffold.ts, so the format check can recognise it without importing the scaffold.
 */
export function templateDescription(name: string): string {
  return `Describe what ${name} does and when to use it (one or two sentences; at most 1024 characters).`;
}

/** The scaffold's description left as it was (for any skill name; whitespace and a folded line do not matter). */
export function isTemplateDescription(description: string): boolean {
  return /^Describe what \S+ does and when to use it \(one or two sentences; at most 1024 characters\)\.?$/.test(
    description.replace(/\s+/g, " ").trim(),
  );
}
