export { isSensitiveField, resolveRef, walkPage, type WalkOptions, type WalkResult } from "./walker.js";
export { isBlank, isWebUrl, navigationPermitted, normalizeUrl, originOf } from "./url.js";
export { navigationVerdict, permittedBy, type Verdict } from "./navigation.js";
export {
  frameHeader,
  frameIndent,
  frameUnavailable,
  MASK_CSS,
  MASKED_FIELDS,
  snapshotBody,
  trimToBudget,
} from "./snapshot-text.js";
export { REF, refFieldsFor } from "./ref-fields.js";
