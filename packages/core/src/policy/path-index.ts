/**
 * Path rules indexed by the first segment of their pattern, so a call looks only at the rules that could
 * match its path (issue 13 item 1: with 2,000 rules every call matched about 1,000 regular expressions).
 *
 * The index only narrows which rules are tested; each candidate is still matched by pathRuleMatches, so a
 * decision is the same with or without it. What makes that hold:
 *   - a rule goes into a bucket only when its pattern's first segment is literal (no `*`, `?`, `{`, `}`,
 *     `[`, `]`); every other rule (`**`, `*.md`, `{src,lib}/**`, no target) is looked at on every call;
 *   - the bucket key is the segment exactly for an allow rule (matched case-sensitively), and lower-cased
 *     for a restrictive rule (matched case-insensitively), and only when the segment is plain ASCII;
 *   - under case-insensitive Unicode matching some non-ASCII letters equal ASCII ones (`ſ` is `s`, the
 *     Kelvin sign is `k`), so a path whose first segment is not plain ASCII gets every restrictive rule;
 *   - each reading a rule is tested against (the real and the lexical path, relative or absolute) adds
 *     its own bucket, so a restrictive rule is a candidate when any reading could match, as it must be.
 */
import { looksLikeUrlPattern } from "./match-url.js";
import { type ResolvedPath, normalisePattern, readingsOf } from "./match-path.js";
import type { Rule } from "./types.js";

export interface PathRuleIndex {
  /** Every rule that is not a URL pattern, in the order written: the rules a path outside the worksite is tested against. */
  all: readonly Rule[];
  /** The rules that may match `path`, in the order written (a tie between equal tiers goes to the first written). */
  candidates(path: ResolvedPath): readonly Rule[];
}

interface Indexed {
  rule: Rule;
  order: number;
}

/** Up to this many path rules are all tested on every call. */
const SHORT_LIST = 16;
const GLOB_OR_BRACE = /[*?{}[\]]/;
const ASCII = /^[\x20-\x7e]*$/;

/** The first segment of a normalised pattern, or undefined when it is not a literal name. */
function firstLiteralSegment(pattern: string, absolute: boolean): string | undefined {
  const body = absolute ? pattern.slice(1) : pattern;
  const end = body.indexOf("/");
  // Normalised patterns always go on after their first segment (a plain name became `name/**`).
  if (end <= 0) return undefined;
  const segment = body.slice(0, end);
  return GLOB_OR_BRACE.test(segment) ? undefined : segment;
}

function firstSegment(path: string | undefined, absolute: boolean): string | undefined {
  if (path === undefined) return undefined;
  const body = absolute ? path.slice(1) : path;
  const end = body.indexOf("/");
  return end < 0 ? body : body.slice(0, end);
}

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

function build(rules: readonly Rule[]): PathRuleIndex {
  const all = rules.filter((r) => !r.specifier || !looksLikeUrlPattern(r.specifier));
  const always: Indexed[] = [];
  /** Keys: `/` + segment for absolute patterns, the segment alone for relative ones. */
  const strict = new Map<string, Indexed[]>();
  const generous = new Map<string, Indexed[]>();
  const generousAll: Indexed[] = [];
  for (const [order, rule] of all.entries()) {
    const item = { rule, order };
    const normal = rule.specifier === undefined ? undefined : normalisePattern(rule.specifier);
    const segment = normal && firstLiteralSegment(normal.pattern, normal.absolute);
    const isStrict = rule.tier === "allow";
    if (!normal || segment === undefined || (!isStrict && !ASCII.test(segment))) {
      always.push(item);
      continue;
    }
    const key = `${normal.absolute ? "/" : ""}${isStrict ? segment : asciiLower(segment)}`;
    const map = isStrict ? strict : generous;
    const bucket = map.get(key);
    if (bucket) bucket.push(item);
    else map.set(key, [item]);
    if (!isStrict) generousAll.push(item);
  }
  // A short list is quicker tested whole than looked up (a Set, buckets and a sort per call).
  if (always.length === all.length || all.length <= SHORT_LIST) return { all, candidates: () => all };
  const alwaysRules = always.map((i) => i.rule);

  return {
    all,
    candidates(path) {
      const r = readingsOf(path);
      const found = [...always];
      const seen = new Set<string>();
      const add = (map: Map<string, Indexed[]>, key: string) => {
        const tag = `${map === strict ? "s" : "g"}${key}`;
        if (seen.has(tag)) return;
        seen.add(tag);
        const bucket = map.get(key);
        if (bucket) found.push(...bucket);
      };
      // An allow rule is tested against the real path alone (match-path.ts), exactly.
      const relReal = firstSegment(r.relReal, false);
      if (relReal !== undefined) add(strict, relReal);
      const real = firstSegment(r.real, true);
      if (real !== undefined) add(strict, `/${real}`);
      // A restrictive rule is tested against every reading, case-insensitively.
      const generousKeys = [
        ...[r.relReal, r.relLexicalInside].map((p) => firstSegment(p, false)),
        ...[r.lexical, r.real].map((p) => {
          const s = firstSegment(p, true);
          return s === undefined ? undefined : `/${s}`;
        }),
      ].filter((k): k is string => k !== undefined);
      if (generousKeys.every((k) => ASCII.test(k))) for (const k of generousKeys) add(generous, asciiLower(k));
      else found.push(...generousAll);
      if (found.length === always.length) return alwaysRules;
      return found.sort((a, b) => a.order - b.order).map((i) => i.rule);
    },
  };
}

const indexes = new WeakMap<readonly Rule[], PathRuleIndex>();

/** The index of a rule list, built once per list (a policy keeps its lists for its lifetime). */
export function pathRuleIndex(rules: readonly Rule[]): PathRuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    index = build(rules);
    indexes.set(rules, index);
  }
  return index;
}
