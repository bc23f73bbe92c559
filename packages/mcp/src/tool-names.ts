import { createHash } from "node:crypto";

/**
 * Many MCP clients (and the model APIs behind them) accept only `^[A-Za-z0-9_-]{1,64}$`
 * as a tool name, so `browser.open` is offered as `browser_open`. The mapping is a table
 * built once per tool list: reversible by lookup, and collision-safe because a name that
 * is already taken gets a short hash of the original id appended.
 */
export interface ToolNameMap {
  toMcp(id: string): string | undefined;
  fromMcp(name: string): string | undefined;
  entries(): Array<{ id: string; name: string }>;
}

const MAX_LENGTH = 64;

export function sanitizeToolName(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^_+|_+$/g, "");
  return (cleaned || "tool").slice(0, MAX_LENGTH);
}

function shortHash(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 8);
}

/**
 * @param ids       tool ids in the gate's order (`plugin.tool`)
 * @param renames   preferred names for some ids (`memory.write` → `memory_propose`)
 * @param reserved  names the server uses for its own tools; a gate tool never gets one
 */
export function buildToolNameMap(
  ids: readonly string[],
  renames: Record<string, string> = {},
  reserved: readonly string[] = [],
): ToolNameMap {
  const taken = new Set(reserved);
  const toMcp = new Map<string, string>();
  const fromMcp = new Map<string, string>();
  // Sorted so a tool's name does not depend on plugin load order.
  for (const id of [...new Set(ids)].sort()) {
    let name = renames[id] ?? sanitizeToolName(id);
    if (taken.has(name)) {
      const suffix = `_${shortHash(id)}`;
      name = `${name.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
    }
    taken.add(name);
    toMcp.set(id, name);
    fromMcp.set(name, id);
  }
  return {
    toMcp: (id) => toMcp.get(id),
    fromMcp: (name) => fromMcp.get(name),
    entries: () => [...toMcp].map(([id, name]) => ({ id, name })),
  };
}
