export * from "./types.js";
export { definePlugin, defineTool } from "./define.js";
export { manifestText, pluginManifest, type ManifestTool, type PluginManifest } from "./manifest.js";
