import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pluginPackageName, resolvePlugin } from "./load-plugins.js";

/**
 * The `worksite.<field>` of the package.json of the plugin THREAD.md names `name`, found the way the plugin
 * itself is (the worksite first), with the package's folder: where a plugin says what may be read or run
 * without importing it (its manifest, its early-start module). Undefined when the plugin is not installed
 * or its package.json names no such field.
 */
export function pluginPackageField(
  name: string,
  bases: readonly string[],
  field: "manifest" | "earlyStart",
): { dir: string; value: unknown } | undefined {
  const entry = resolvePlugin(name, bases);
  if (!entry) return undefined;
  const pkg = pluginPackageName(name);
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    let json: { name?: unknown; worksite?: Record<string, unknown> };
    try {
      json = JSON.parse(readFileSync(manifest, "utf8")) as typeof json;
    } catch {
      continue;
    }
    if (json.name !== pkg) continue;
    const value = json.worksite?.[field];
    return value === undefined ? undefined : { dir, value };
  }
  return undefined;
}
