/**
 * The words a permission decision is made of, shared by the plugin contract (a tool's effect and target
 * kind) and the policy (tiers, stages, decisions). They live here, below both, so plugin/types.ts and
 * policy/types.ts each import this module and never each other.
 */

/** What a tool does to the world; the gate decides by it when no rule is more specific. */
export type Effect = "read" | "write" | "external";

/** How a tool's target is understood when matching rules. */
export type TargetKind = "url" | "path" | "command" | "text";

export type Tier = "allow" | "read-only" | "draft" | "confirm" | "forbidden";

/** Strictness order: later is stricter. */
export const TIERS: readonly Tier[] = ["allow", "read-only", "draft", "confirm", "forbidden"];

export type Stage = "monitor" | "draft" | "write";

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
