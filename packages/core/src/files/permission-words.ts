import type { Tier } from "../policy/types.js";
import { didYouMean } from "./did-you-mean.js";
import { lookupLabel, normalizeLabel, vocabulary } from "./sections.js";

/** Tier names as people write them, English and Chinese. */
export const TIER_WORDS = vocabulary<Tier>({
  allow: ["allow", "allowed", "allows", "允许", "可以"],
  "read-only": ["read-only", "read only", "readonly", "只读"],
  draft: ["draft", "drafts", "draft only", "草稿", "起草"],
  confirm: [
    "confirm",
    "requires confirmation",
    "require confirmation",
    "needs confirmation",
    "need confirmation",
    "confirmation",
    "ask first",
    "需确认",
    "需要确认",
    "确认",
  ],
  forbidden: ["forbidden", "forbid", "never", "deny", "denied", "not allowed", "禁止", "不允许"],
});

type Other = "notes" | "container";
const OTHER_WORDS = vocabulary<Other>({
  notes: ["notes", "note", "备注", "说明", "注意"],
  container: [
    "permissions",
    "permission",
    "权限",
    "rules",
    "规则",
    "tiers",
    "tier",
    "层级",
    "权限层级",
    "levels",
    "default",
    "defaults",
    "默认",
  ],
});

/** Header words of a tier column in table form. */
export const TIER_COLUMN = /^(tiers?|levels?|层级|级别|权限|permissions?)$/i;

export function lookupTier(text: string): Tier | undefined {
  return lookupLabel(text.replace(/`/g, ""), TIER_WORDS);
}

export type PermissionSectionKey = Tier | Other | "typo";

/**
 * Classifies a heading or label line; "typo" when it looks like a misspelt
 * tier. Undefined otherwise: a heading then is an unknown tier (or the title),
 * a label line is prose.
 */
export function classifyPermissionLabel(label: string): PermissionSectionKey | undefined {
  const tier = lookupTier(label);
  if (tier) return tier;
  const other = lookupLabel(label, OTHER_WORDS);
  if (other) return other;
  return tierGuess(label) === undefined ? undefined : "typo";
}

export function tierGuess(label: string): string | undefined {
  return didYouMean(normalizeLabel(label), [...TIER_WORDS.keys()]);
}

export const TIER_LIST =
  "allow, read-only, draft, confirm (requires confirmation), forbidden — or 允许, 只读, 草稿, 需确认, 禁止";
