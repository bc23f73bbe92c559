import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { PluginManifest } from "@worksite/core";
import { pluginBases, pluginPackageName, resolvePlugin } from "./load-plugins.js";

export type { ManifestTool, PluginManifest } from "@worksite/core";

const EFFECTS: readonly string[] = ["read", "write", "external"];

/**
 * The manifest of the plugin THREAD.md names `name`, found the way the plugin itself would be
 * (the worksite first, then where worksite runs from), or undefined when the plugin is not
 * installed, ships no manifest, or ships one that does not read as a manifest (the caller then
 * imports the plugin itself, as before).
 */
export function readPluginManifest(
  name: string,
  root: string,
  bases: readonly string[] = pluginBases(root),
): PluginManifest | undefined {
  const entry = resolvePlugin(name, bases);
  if (!entry) return undefined;
  const pkg = pluginPackageName(name);
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    let json: { name?: unknown; worksite?: { manifest?: unknown } };
    try {
      json = JSON.parse(readFileSync(file, "utf8")) as typeof json;
    } catch {
      continue;
    }
    if (json.name !== pkg) continue;
    const where = json.worksite?.manifest;
    if (typeof where !== "string") return undefined;
    return parseManifest(readFileSync(resolve(dir, where), "utf8"));
  }
  return undefined;
}

/** A manifest read from text; undefined unless every tool names an id, a description and a known effect. */
export function parseManifest(text: string): PluginManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<PluginManifest> | null;
  if (!m || typeof m.name !== "string" || !Array.isArray(m.tools)) return undefined;
  const ok = m.tools.every(
    (t) =>
      t &&
      typeof t.id === "string" &&
      t.id.startsWith(`${m.name}.`) &&
      typeof t.description === "string" &&
      EFFECTS.includes(t.effect as string) &&
      typeof t.inputSchema === "object",
  );
  return ok ? (m as PluginManifest) : undefined;
}
