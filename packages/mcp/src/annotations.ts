import type { RegisteredTool } from "@worksite/core";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";

/** Tools whose effect is `read` for the gate but that write a record: `report_progress` adds a progress note. */
const RECORDS_STATE = new Set(["thread.report"]);

/**
 * MCP's hints, read from what the tool declares about itself. They help a client decide
 * what to ask its user about; they decide nothing here — the gate does.
 * https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool-annotations
 */
export function toolAnnotations(tool: Pick<RegisteredTool, "id" | "effect" | "targetKind">): ToolAnnotations {
  // The gate counts these as `read` (they change nothing outside the worksite's own state, so a monitor-stage
  // thread may still report), but each call adds a record: a client must not take them for read-only.
  if (RECORDS_STATE.has(tool.id))
    return { title: tool.id, readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
  const reachesOutside = tool.effect === "external" || tool.targetKind === "url";
  switch (tool.effect) {
    case "read":
      return {
        title: tool.id,
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: reachesOutside,
      };
    case "write":
      // Local and rollback-able, but it may overwrite: destructive in MCP's sense.
      return {
        title: tool.id,
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: reachesOutside,
      };
    case "external":
      return { title: tool.id, readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
  }
}
