export type * from "./types.js";
export { openAuditLog, type AuditLog } from "./audit-log.js";
