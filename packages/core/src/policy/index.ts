export * from "./types.js";
export { createPolicy, ruleMatches, type Policy, type PolicyOptions } from "./policy.js";
