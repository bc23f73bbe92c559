import type { LockOptions } from "./lock.js";
import { readEntries } from "./read.js";
import type { AuditEntry, AuditEvent, AuditVerifyResult } from "./types.js";
import { verifyAuditFile } from "./verify.js";
import { auditWriter } from "./writer.js";

export interface AppendOptions {
  /**
   * True (the default): the entry is on disk (fdatasync) before the promise
   * settles — what a `write`/`external` call's decision needs before its tool
   * runs. False: the line is in the file at once (a killed process loses
   * nothing) and reaches the disk within a few milliseconds (group commit).
   */
  durable?: boolean;
}

export interface AuditLog {
  readonly path: string;
  /** Redacts, chains and appends one whole line; returns the written entry. */
  append(event: AuditEvent, options?: AppendOptions): Promise<AuditEntry>;
  entries(): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerifyResult>;
  /** Makes every line durable, moves both heads to the last one and hands the lock back (it is also handed back after a short idle, and at exit). */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** The clock for `time`; tests pass their own. */
  now?: () => Date;
  lock?: LockOptions;
}

/**
 * The audit log at `path` (usually `<worksite>/.worksite/audit.jsonl`).
 * Every object for the same path in one process shares one writer
 * (writer.ts), which holds `<path>.lock` while appends keep coming; other
 * processes take it over when it falls idle or when they ask for it.
 */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  const writer = auditWriter(path);
  return {
    path,
    append: (event, appendOptions = {}) =>
      writer.append({
        event,
        durable: appendOptions.durable ?? true,
        now: options.now,
        ...(options.lock ? { lock: options.lock } : {}),
      }),
    entries: () => readEntries(path),
    verify: () => verifyAuditFile(path),
    close: () => writer.close(),
  };
}
