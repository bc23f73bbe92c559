import type { ArtifactRef } from "../artifacts/types.js";
import type { Decision } from "../policy/types.js";
import type { RegisteredTool, ToolResult } from "../plugin/types.js";

export interface GateCall {
  tool: string;
  input: unknown;
  /** Defaults to the gate's actor. */
  actor?: string;
  signal?: AbortSignal;
}

export type GateOutcome =
  | { status: "ok"; tool: string; decision: Decision; result: ToolResult; auditSeq: number }
  | { status: "refused"; tool: string; decision: Decision; message: string; auditSeq: number }
  | { status: "pending-approval"; tool: string; decision: Decision; approvalId: string; message: string; auditSeq: number }
  | { status: "drafted"; tool: string; decision: Decision; draft: ArtifactRef; message: string; auditSeq: number }
  | { status: "error"; tool: string; decision?: Decision; message: string; auditSeq?: number }
  | { status: "aborted"; tool: string; decision: Decision; message: string; auditSeq?: number };

export interface Gate {
  /** The one path: every tool call from anywhere goes through here. */
  call(call: GateCall): Promise<GateOutcome>;
  tools(): RegisteredTool[];
  dispose(): Promise<void>;
}
