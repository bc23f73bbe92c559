import type { TierFloor } from "../plugin/types.js";
import { TIERS, type Decision, type Tier } from "../policy/types.js";
import { UserError } from "../errors.js";

/** A tool's own floor for this call (a password field needs confirm): most restrictive wins, like the stage clamp. */
export function raise(decision: Decision, floor: { tier: Tier; reason?: string } | undefined, tool: string): Decision {
  if (!floor || TIERS.indexOf(floor.tier) <= TIERS.indexOf(decision.tier)) return decision;
  const why = floor.reason ? `: ${floor.reason}` : "";
  return {
    ...decision,
    tier: floor.tier,
    reason: `${tool} needs at least ${floor.tier} for this call${why} (was ${decision.tier}: ${decision.reason})`,
  };
}

/** A floor with or without the tool's reason, in one shape. */
export function floorOf(floor: TierFloor | undefined): { tier: Tier; reason?: string } | undefined {
  return floor === undefined ? undefined : typeof floor === "string" ? { tier: floor } : floor;
}

/** A tool's error as the agent reads it: a person's mistake keeps its how-to-fix, which is most of its worth. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return UserError.isUserError(error) && error.hint ? `${error.message}\nhint: ${error.hint}` : error.message;
}
