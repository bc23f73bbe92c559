import type { AuditLog, Gate, Worksite } from "@worksite/core";

/**
 * What the MCP server needs of a runtime session. The runtime's `Session` (openSession)
 * has this shape; keeping the need small lets the server be tested against any session.
 */
export interface McpSession {
  root: string;
  worksite: Worksite;
  gate: Gate;
  audit: AuditLog;
  run: string;
  round: number;
}
