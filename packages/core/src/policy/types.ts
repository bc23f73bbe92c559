import type { Effect, TargetKind } from "../plugin/types.js";
import type { SourceLocation } from "../errors.js";

export type Tier = "allow" | "read-only" | "draft" | "confirm" | "forbidden";

/** Strictness order: later is stricter. */
export const TIERS: readonly Tier[] = ["allow", "read-only", "draft", "confirm", "forbidden"];

export type Stage = "monitor" | "draft" | "write";

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

export interface Decision {
  tier: Tier;
  /** The deciding rule; absent when the default decided. */
  rule?: { text: string; file: string; line: number };
  /** One line a person understands: why this tier. */
  reason: string;
  /** True when the stage clamp raised the tier. */
  clamped?: boolean;
  /** What decided: a PERMISSIONS.md rule, the defaults, a protection built into worksite, or the floor no rule can lower (boundary/floor.ts). */
  by?: "rule" | "default" | "built-in" | "floor";
}
