import type { RegisteredTool } from "@worksite/core";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";

/**
 * MCP's hints, read from what the tool declares about itself. They help a client decide
 * what to ask its user about; they decide nothing here — the gate does.
 * https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool-annotations
 */
export function toolAnnotations(tool: Pick<RegisteredTool, "id" | "effect" | "targetKind">): ToolAnnotations {
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
