export type * from "./types.js";
export { loadWorksite, safeLoadWorksite, WORKSITE_FILES, type LoadResult } from "./load-worksite.js";
export { parseThread, safeParseThread } from "./parse-thread.js";
export { parseGoal, safeParseGoal } from "./parse-goal.js";
export { DEFAULT_TIERS, parsePermissions, safeParsePermissions, type PermissionsParseOptions } from "./parse-permissions.js";
export type { ParseOptions, ParseResult } from "./parse-result.js";
export { parseRuleText } from "./permission-rules.js";
export { wakeProblem } from "./wake.js";
export { didYouMean } from "./did-you-mean.js";
