import type { ArtifactRef } from "../artifacts/types.js";
import type { Decision } from "../policy/types.js";
import type { RegisteredTool, ToolResult } from "../plugin/types.js";

export interface GateCall {
  tool: string;
  input: unknown;
  /** Defaults to the gate's actor. */
  actor?: string;
  signal?: AbortSignal;
  /**
   * For a confirm-tier call with no approval yet: queue the request, then wait
   * up to this long for a person to approve or deny it from another process
   * (`worksite approve ID`, the panel) and run it exactly once if approved.
   * 0 or absent: return `pending-approval` at once.
   */
  waitForApprovalMs?: number;
}

export type GateOutcome =
  | { status: "ok"; tool: string; decision: Decision; result: ToolResult; auditSeq: number }
  | { status: "refused"; tool: string; decision: Decision; message: string; auditSeq: number }
  | {
      status: "pending-approval";
      tool: string;
      decision: Decision;
      approvalId: string;
      message: string;
      auditSeq: number;
    }
  | {
      status: "drafted";
      tool: string;
      decision: Decision;
      draft: ArtifactRef;
      draftId: string;
      message: string;
      auditSeq: number;
    }
  | { status: "error"; tool: string; decision?: Decision; message: string; auditSeq?: number }
  | { status: "aborted"; tool: string; decision: Decision; message: string; auditSeq?: number };

export type ApprovalStatus = "pending" | "approved" | "denied" | "consumed";

/** `<state>/worksites/<id>/approvals/<id>.json` in the person's state folder (used ones move to `used/`). */
export interface ApprovalRecord {
  id: string;
  tool: string;
  /** Redacted: a person reads it; the binding is `callHash`, recomputed from the real call. */
  input: unknown;
  target?: string;
  callHash: string;
  decision: Decision;
  requestedBy: string;
  run?: string;
  round?: number;
  created: string;
  /** Request order (microseconds, strictly increasing within a process): listings show requests in the order they were made. */
  order?: number;
  status: ApprovalStatus;
  approvedBy?: string;
  approvedAt?: string;
  /** ISO time after which an approved record no longer lets the call run. */
  expires?: string;
  deniedBy?: string;
  deniedAt?: string;
  reason?: string;
  consumedAt?: string;
  /** Id of the thread grant written alongside, when approved "for this thread". */
  grant?: string;
  /** The approving person's seal (HMAC with their key, outside the worksite): without it the record lets nothing run. */
  seal?: string;
}

/** `<state>/worksites/<id>/approvals/grants/<id>.json`: a person let this tool reach this exact target for the thread. */
export interface GrantRecord {
  id: string;
  tool: string;
  /** Exact target the grant covers. */
  target: string;
  by: string;
  created: string;
  fromApproval?: string;
  /** The granting person's seal, as on approvals. */
  seal?: string;
}

export type DraftStatus = "open" | "executed" | "discarded";

/** `.worksite/drafts/<id>.json` (executed ones move to `.worksite/drafts/done/`). */
export interface DraftRecord {
  id: string;
  tool: string;
  /** Redacted like everything on disk. */
  input: unknown;
  /** True when redaction changed the input: such a draft cannot be executed from the record. */
  inputRedacted: boolean;
  target?: string;
  callHash: string;
  decision: Decision;
  summary: string;
  /** Artifact path of the draft, relative to the worksite. */
  artifact: string;
  actor: string;
  run: string;
  round: number;
  created: string;
  status: DraftStatus;
  executedBy?: string;
  executedAt?: string;
  outcome?: string;
  discardedBy?: string;
  reason?: string;
}

export type ApprovalWait =
  | { state: "approved"; approval: ApprovalRecord }
  | { state: "denied"; approval: ApprovalRecord }
  | { state: "consumed"; approval: ApprovalRecord }
  | { state: "timeout" | "aborted" | "missing" };

export interface Gate {
  /** The one path: every tool call from anywhere goes through here. */
  call(call: GateCall): Promise<GateOutcome>;
  /**
   * A policy question a tool asks about a target it reaches on its own
   * (a redirect, a popup). Audited as a "navigation" event. Same as `ctx.check`.
   */
  check(tool: string, target: string, actor?: string): Promise<import("../policy/types.js").Decision>;
  /** The policy's decision for a tool and target, without running or auditing anything (the caller audits what it does). */
  decide(tool: string, target: string): import("../policy/types.js").Decision;
  /** Wait (by polling the file: fs.watch is unreliable across platforms) until a person decides. */
  waitForApproval(approvalId: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ApprovalWait>;
  /** Execute a draft once, as a person-approved call (`worksite approve <draft-id>`). Forbidden stays forbidden. */
  runDraft(draftId: string, options: { by: string; signal?: AbortSignal }): Promise<GateOutcome>;
  tools(): RegisteredTool[];
  /** The round that calls, audit entries and artifacts belong to from now on. */
  setRound(round: number): void;
  /** Starts what plugins would start on their first call (a browser), so that call does not wait for it. */
  warmUp(): Promise<void>;
  /** Resolves when the artifacts tools wrote in the background are on disk and listed (before anything reads them). */
  settled(): Promise<void>;
  /** Waits for those writes, then disposes the plugins. */
  dispose(): Promise<void>;
}
