import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PluginManifest } from "@worksite/core";
import { pluginBases } from "./load-plugins.js";
import { pluginPackageField } from "./plugin-package.js";

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
  const found = pluginPackageField(name, bases, "manifest");
  if (!found || typeof found.value !== "string") return undefined;
  return parseManifest(readFileSync(resolve(found.dir, found.value), "utf8"));
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
