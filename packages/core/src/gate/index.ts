export type * from "./types.js";
export { createGate, DEFAULT_PENDING_APPROVALS, permits, type GateOptions } from "./gate.js";
export { ruleText } from "./decision-words.js";
export { sealKey, sealKeyPath, SEAL_KEY_ENV } from "./person-seal.js";
export {
  isSealed,
  approve,
  deny,
  denyRun,
  pendingFor,
  consumeApproval,
  listApprovals,
  listGrants,
  readApproval,
  requestApproval,
  revokeGrant,
  findGrant,
  writeGrant,
  approvalsDir,
  grantsDir,
  type ApproveOptions,
  type ApprovalRequest,
  type ConsumeOptions,
} from "./approvals.js";
export { listDrafts, readDraft, discardDraft, draftsDir } from "./drafts.js";
export { canonicalJson, hashCall, isId } from "./call-hash.js";
export { createLogger, silentLogger, type LogLevel } from "./logger.js";
