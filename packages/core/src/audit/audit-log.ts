import { appendEvent, type TailState } from "./append.js";
import type { LockOptions } from "./lock.js";
import { readEntries } from "./read.js";
import type { AuditEntry, AuditEvent, AuditVerifyResult } from "./types.js";
import { verifyAuditFile } from "./verify.js";

export interface AuditLog {
  readonly path: string;
  /** Redacts, chains and appends atomically; returns the written entry. */
  append(event: AuditEvent): Promise<AuditEntry>;
  entries(): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerifyResult>;
}

export interface AuditLogOptions {
  /** The clock for `time`; tests pass their own. */
  now?: () => Date;
  lock?: LockOptions;
}

/**
 * The audit log at `path` (usually `<worksite>/.worksite/audit.jsonl`).
 * Appends from this object are queued one after another; appends from other
 * objects and other processes are kept apart by `<path>.lock`.
 */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  let tail: TailState | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  return {
    path,
    append(event) {
      const next = queue.then(async () => {
        try {
          const written = await appendEvent(path, event, tail, { now, lock: options.lock });
          tail = written.tail;
          return written.entry;
        } catch (error) {
          tail = undefined; // read the file again next time rather than trust a state that may be wrong
          throw error;
        }
      });
      queue = next.catch(() => undefined);
      return next;
    },
    entries: () => readEntries(path),
    verify: () => verifyAuditFile(path),
  };
}
