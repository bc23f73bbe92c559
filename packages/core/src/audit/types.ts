import type { Decision, Tier } from "../policy/types.js";

export type AuditEventType =
  | "decision" // the gate decided a call
  | "result" // the tool ran (ok or failed)
  | "approval" // a person approved / denied / granted / revoked
  | "draft" // a draft artifact was written
  | "navigation" // a plugin asked about a target it reached on its own
  | "memory" // memory audit findings, proposals, accepts
  | "inbox" // steer / queue messages sent and taken
  | "run" // run and round start / stop, lock takeover
  | "wake" // the scheduler woke a thread, skipped a wake (and why), proposed a promotion, demoted
  | "note";

export interface AuditEvent {
  type: AuditEventType;
  run?: string;
  round?: number;
  actor: string;
  tool?: string;
  target?: string;
  /** sha256 of the canonical call (tool, input, target); also what approvals bind to. */
  callHash?: string;
  tier?: Tier;
  decision?: Decision;
  /** "rule PERMISSIONS.md:12", "person:alice", "grant:<id>", "default", "approval:<id>". */
  decidedBy?: string;
  outcome?: "ok" | "error" | "refused" | "pending" | "drafted" | "aborted" | "blocked";
  durationMs?: number;
  artifacts?: string[];
  message?: string;
  data?: Record<string, unknown>;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  /** The previous entry's `hash` ("0"*64 for the first). */
  prev: string;
  /** sha256 over this entry without `hash`, chained through `prev`. */
  hash: string;
}

export type AuditVerifyResult =
  | {
      ok: true;
      entries: number;
      /** A last line with no newline (a write cut off by a kill): not an entry; the next append removes and records it. */
      torn?: { line: number; bytes: number };
    }
  | { ok: false; entries: number; line: number; problem: string };
