import { z } from "zod";
import type { Tier } from "../policy/types.js";
import type { Effect, Plugin, TargetKind } from "./types.js";

/**
 * What a plugin's tools are, readable without importing the plugin (issue 13 item 3): `check`,
 * `permissions explain` and tool lists need ids, effects and tiers, not puppeteer. A plugin
 * package points at it from its package.json (`"worksite": { "manifest": "./manifest.json" }`);
 * the file is generated from the real tools (`manifestText`) and a test in the plugin
 * checks the two agree.
 */
export interface PluginManifest {
  /** The plugin's name: its tools are `<name>.<tool>`. */
  name: string;
  tools: ManifestTool[];
}

export interface ManifestTool {
  /** `<plugin>.<tool>`, as the gate registers it. */
  id: string;
  description: string;
  effect: Effect;
  targetKind?: TargetKind;
  defaultTier?: Tier;
  namedAllowOnly?: boolean;
  /** The input's JSON Schema. */
  inputSchema: Record<string, unknown>;
}

/** The manifest of a loaded plugin, from its real tools: what a plugin's build writes to manifest.json. */
export function pluginManifest(plugin: Plugin): PluginManifest {
  return {
    name: plugin.name,
    tools: Object.entries(plugin.tools).map(([name, tool]) => ({
      id: `${plugin.name}.${name}`,
      description: tool.description,
      effect: tool.effect,
      ...(tool.targetKind ? { targetKind: tool.targetKind } : {}),
      ...(tool.defaultTier ? { defaultTier: tool.defaultTier } : {}),
      ...(tool.namedAllowOnly ? { namedAllowOnly: true } : {}),
      inputSchema: z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    })),
  };
}

/** The text of manifest.json: stable key order and a final newline, so a regenerated file diffs only where tools changed. */
export function manifestText(plugin: Plugin): string {
  return `${JSON.stringify(pluginManifest(plugin), null, 2)}\n`;
}
