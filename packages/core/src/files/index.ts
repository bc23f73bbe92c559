export type * from "./types.js";
export { loadWorksite, safeLoadWorksite, WORKSITE_FILES, type LoadResult } from "./load-worksite.js";
export { parseThread, safeParseThread } from "./parse-thread.js";
export { parseGoal, safeParseGoal } from "./parse-goal.js";
export {
  DEFAULT_TIERS,
  parsePermissions,
  safeParsePermissions,
  type PermissionsParseOptions,
} from "./parse-permissions.js";
export type { ParseOptions, ParseResult } from "./parse-result.js";
export { parseRuleText } from "./permission-rules.js";
export { wakeProblem, wakeSpec, type WakeSpec } from "./wake.js";
export {
  DEFAULT_SAME_FAILURE,
  parsePromotionCondition,
  ROLLOUT_STAGES,
  type PromotionCondition,
  type RolloutPlan,
} from "./rollout.js";
export { didYouMean } from "./did-you-mean.js";
export {
  normalizeText,
  parseFrontmatter,
  type BlockName,
  type Frontmatter,
  type FrontmatterResult,
} from "./frontmatter.js";
export { assertPackageName, isValidPackageName } from "./npm-name.js";
export {
  formatBytes,
  readTextWithin,
  SIZE_LIMITS,
  tooBigDiagnostic,
  tooBigMessage,
  type LimitedRead,
} from "./size-limits.js";
export { firstAliasLine, YAML_EXPANSION_HINT, YAML_EXPANSION_MESSAGE, yamlExpandsTooFar } from "./yaml-expansion.js";
