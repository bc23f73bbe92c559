export * from "./types.js";
export { createPolicy, ruleMatches, type Policy, type PolicyOptions } from "./policy.js";
export { inferEffect, inferTargetKind } from "./infer.js";
export { resolvePath, type ResolvedPath } from "./match-path.js";
export { normaliseUrl, type NormalUrl } from "./match-url.js";
export { globMatches, globToRegExp, type GlobOptions } from "./glob.js";
export { trustNotes } from "./trust-notes.js";
