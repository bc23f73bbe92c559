import type { PermissionsFile } from "../files/types.js";
import { stricter } from "./decisions.js";
import { decideQuery, modeOf, toolMatches, urlPatternOf } from "./decide-query.js";
import { programArgv, ruleMatchesArgv } from "./decide-command.js";
import { globMatches } from "./glob.js";
import { inferTargetKind } from "./infer.js";
import { pathRuleMatches, resolvePath } from "./match-path.js";
import { looksLikeUrlPattern, normaliseUrl, urlMatches } from "./match-url.js";
import { parseCommandLine } from "./parse-command.js";
import type { Decision, PolicyQuery, Rule, Stage, Tier } from "./types.js";

export interface Policy {
  decide(query: PolicyQuery): Decision;
}

export interface PolicyOptions {
  /** Absolute worksite root; paths are resolved inside it. */
  root: string;
  stage: Stage;
}

const STAGE_FLOOR: Record<Stage, Tier | undefined> = { monitor: "read-only", draft: "draft", write: undefined };

/**
 * The policy of one worksite at one stage. Strictest matching rule wins
 * (forbidden > confirm > draft > read-only > allow); no match → the default for
 * the tool's effect; then the stage clamp raises the tier to the stage's floor.
 */
export function createPolicy(permissions: PermissionsFile, options: PolicyOptions): Policy {
  const ctx = { rules: permissions.rules, defaults: permissions.defaults, root: options.root };
  return {
    decide(query) {
      const decision = withToolDefault(decideQuery(ctx, query), query);
      const floor = STAGE_FLOOR[options.stage];
      if (!floor || !stricter(floor, decision.tier)) return decision;
      return {
        ...decision,
        tier: floor,
        clamped: true,
        reason: `${decision.reason}; raised to ${floor} by the thread's ${options.stage} stage`,
      };
    },
  };
}

/**
 * A tool may name its own default (memory.write: draft, so a person sees what an
 * agent wants remembered). It stands in for PERMISSIONS.md's default for its
 * effect only where no rule and no built-in protection decided; the stage clamp still applies.
 */
function withToolDefault(decision: Decision, query: PolicyQuery): Decision {
  if (decision.by !== "default" || !query.defaultTier) return decision;
  return {
    tier: query.defaultTier,
    by: "default",
    reason: `${query.tool}: no rule matches; the tool's own default is ${query.defaultTier}`,
  };
}

/**
 * Does `rule` match this tool id and target, with no defaults or built-in
 * protections? Used by the PERMISSIONS.md loader to check `match:` examples.
 * A compound command matches a restrictive rule if any part does, an allow
 * rule only if every part does.
 */
export function ruleMatches(rule: Rule, tool: string, target: string | undefined, root: string): boolean {
  if (!toolMatches(rule, tool)) return false;
  if (rule.specifier === undefined) return true;
  if (target === undefined) return false;
  const mode = modeOf(rule);
  const kind = inferTargetKind(tool, target) ?? (looksLikeUrlPattern(rule.specifier) ? "url" : "text");
  if (kind === "url") {
    const url = normaliseUrl(target);
    const pattern = urlPatternOf(rule);
    return url !== undefined && pattern !== undefined && urlMatches(pattern, url, mode);
  }
  if (kind === "path") return pathRuleMatches(rule.specifier, resolvePath(target, root), mode);
  if (kind === "command") {
    const commands = parseCommandLine(target)
      .commands.map((c) => programArgv(c.words))
      .filter((a) => a.length > 0);
    if (commands.length === 0) return false;
    const test = (argv: (typeof commands)[number]) => ruleMatchesArgv(rule, argv, mode);
    return mode === "generous" ? commands.some(test) : commands.every(test);
  }
  return globMatches(rule.specifier, target, { caseInsensitive: mode === "generous" });
}
