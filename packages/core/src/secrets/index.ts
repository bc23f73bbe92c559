export type * from "./types.js";
export { redactSecrets, scanSecrets } from "./scan.js";
export { redactDeep } from "./redact-deep.js";
export { sensitiveKeyKind } from "./sensitive-key.js";
export { rules as secretRules, type SecretRule } from "./rules.js";
