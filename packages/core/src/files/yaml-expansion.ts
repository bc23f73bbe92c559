/**
 * YAML `&anchor` / `*alias` pairs let a few hundred bytes stand for billions of values (the
 * "billion laughs" bomb). js-yaml shares an aliased value instead of copying it, so parsing is
 * cheap, but anything that walks the result afterwards (a schema check, JSON.stringify in an
 * error message, a date normaliser) pays for every copy: 24 s and 2.3 GB for one PERMISSIONS.md
 * in issue 21. So every YAML value worksite reads is measured once, within a budget, before
 * anything else touches it.
 *
 * The measure counts each value as it would be if written out: one unit per value, plus the
 * length of each string and key. Written without aliases, that is about the text's own length;
 * only aliases (and `<<` merges of them) make it larger. Twice the text plus a small allowance is
 * far above any hand-written use of anchors, and the walk stops as soon as it passes that, so
 * checking a bomb costs no more than reading the text once.
 */
export const YAML_EXPANSION_ALLOWANCE = 100_000;

/** The budget for YAML text of `textLength` characters. */
export function yamlExpansionBudget(textLength: number): number {
  return 2 * textLength + YAML_EXPANSION_ALLOWANCE;
}

/**
 * Whether `value` (parsed from YAML text of `textLength` characters) expands to more than its
 * budget. Iterative and bounded: cycles (`&a [*a]`) and deep nesting end the walk, not the stack.
 */
export function yamlExpandsTooFar(value: unknown, textLength: number): boolean {
  const budget = yamlExpansionBudget(textLength);
  let used = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    used += 1;
    if (typeof v === "string") used += v.length;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === "object" && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        used += key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (used > budget || stack.length > budget) return true;
  }
  return false;
}

/** 0-based index of the first line that uses an alias (`*name`), for pointing at it; 0 when none is found. */
export function firstAliasLine(lines: readonly string[]): number {
  const alias = /(^|[\s[{,:-])\*[^\s,[\]{}]+/;
  const index = lines.findIndex((l) => !l.trimStart().startsWith("#") && alias.test(l));
  return Math.max(index, 0);
}

export const YAML_EXPANSION_MESSAGE =
  "YAML aliases (*name) here expand to far more than is written, so this was not read";
export const YAML_EXPANSION_HINT = "write the values out instead of repeating an &anchor through *aliases";
