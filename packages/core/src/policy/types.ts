import type { Effect, TargetKind, Tier } from "../decision.js";
import type { SourceLocation } from "../errors.js";

// The words a decision is made of live in ../decision.ts, which plugin/types.ts shares (no import cycle).
export { type Decision, type Stage, type Tier, TIERS } from "../decision.js";

export interface Rule {
  tier: Tier;
  /** Tool pattern, globs allowed: `browser.*`, `shell.run`. */
  tool: string;
  /** Target pattern inside the parentheses, if any: `https://*.example.com/**`, `npm test`, `src/**`. */
  specifier?: string;
  /** The code span as written, for messages. */
  text: string;
  source: SourceLocation;
  /** Inline examples checked when the file loads. */
  examples: { match: string[]; notMatch: string[] };
  /** Prose written beside the rule (same line or table row): why it is there, for people. Not enforced. */
  note?: string;
}

export interface PermissionsDefaults {
  read: Tier;
  write: Tier;
  external: Tier;
}

export interface PolicyQuery {
  tool: string;
  target?: string;
  effect: Effect;
  targetKind?: TargetKind;
  /** The tool's own default tier, used instead of PERMISSIONS.md's default for its effect when no rule matches. */
  defaultTier?: Tier;
  /**
   * Only a rule that names the tool may allow it: an `allow` rule whose tool
   * pattern is a glob (`browser.*`, `*`) is skipped. Stricter glob rules still apply.
   */
  namedAllowOnly?: boolean;
}
