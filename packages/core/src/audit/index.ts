export type * from "./types.js";
export { openAuditLog, type AuditLog, type AuditLogOptions } from "./audit-log.js";
export { verifyAuditFile } from "./verify.js";
export { readLines, parseLine, type RawLine, type ParsedLine } from "./read.js";
export { entryHash, GENESIS_HASH } from "./hash-chain.js";
