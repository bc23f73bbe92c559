/**
 * What the policy assumes when a caller does not say. Used by `decide` when a
 * query has no targetKind and by `worksite permissions explain` for tools that
 * are not loaded.
 */
import type { Effect, TargetKind } from "../plugin/types.js";

/** `shell.*` → command, `file.*` → path, a target with a scheme → url; else undefined (each rule's own shape decides). */
export function inferTargetKind(tool: string, target: string | undefined): TargetKind | undefined {
  if (/^shell\./i.test(tool)) return "command";
  if (/^file\./i.test(tool)) return "path";
  if (
    target !== undefined &&
    (/^[a-z][a-z0-9+.-]*:\/\//i.test(target.trim()) ||
      /^(javascript|data|about|blob|mailto|file|chrome|vbscript):/i.test(target.trim()))
  )
    return "url";
  return undefined;
}

/**
 * An unknown tool's effect from its name: `*.read`, `*.list`, `*.search`,
 * `*.snapshot`, `*.screenshot` (and a few more look-only verbs) read; `file.*` and
 * `memory.*` write locally; anything else is assumed to change the world.
 */
export function inferEffect(tool: string): Effect {
  if (/\.(read|list|search|snapshot|screenshot|get|status|find|view|query)$/i.test(tool)) return "read";
  if (/^(file|memory)\./i.test(tool)) return "write";
  return "external";
}
