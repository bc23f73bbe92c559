import type { AuditEntry, AuditEvent, AuditVerifyResult } from "./types.js";

export interface AuditLog {
  readonly path: string;
  /** Redacts, chains and appends atomically; returns the written entry. */
  append(event: AuditEvent): Promise<AuditEntry>;
  entries(): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerifyResult>;
}

/** STUB — the audit helper replaces this body. `path` is usually `<worksite>/.worksite/audit.jsonl`. */
export function openAuditLog(_path: string): AuditLog {
  throw new Error("not implemented");
}
