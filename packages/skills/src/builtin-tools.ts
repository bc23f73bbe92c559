import { didYouMean } from "@worksite/core";

/**
 * Tool ids worksite ships: core tools, the memory, skills and thread plugins, and
 * the browser plugin (its tool keys in plugins/browser/src/plugin.ts; a test keeps
 * this list in step with that file).
 */
export const BUILTIN_TOOLS: readonly string[] = [
  "shell.run",
  "file.read",
  "file.list",
  "file.write",
  "memory.search",
  "memory.read",
  "memory.write",
  "memory.forget",
  "skill.list",
  "skill.read",
  "thread.status",
  "thread.report",
  ...[
    "open", "back", "forward", "reload", "tabs", "wait-for", "close", "snapshot", "click", "type", "press",
    "select", "hover", "fill-form", "upload", "screenshot", "read", "console", "network", "downloads", "dialog", "evaluate",
  ].map((t) => `browser.${t}`),
];

const PLUGINS = [...new Set(BUILTIN_TOOLS.map((id) => id.split(".")[0]!))];

/**
 * Why a step's tool id looks like a slip for a built-in one, or undefined. Other
 * plugins' tools are fine as long as their plugin name is not one letter away from
 * a built-in plugin's: `mail.send` passes, `shel.run` and `file.wrte` do not.
 */
export function builtinToolTypo(id: string): { message: string; hint: string } | undefined {
  if (BUILTIN_TOOLS.includes(id)) return undefined;
  const dot = id.indexOf(".");
  const plugin = id.slice(0, dot);
  const tool = id.slice(dot + 1);
  const ownTools = (p: string) => BUILTIN_TOOLS.filter((t) => t.startsWith(`${p}.`)).map((t) => t.slice(p.length + 1));
  if (PLUGINS.includes(plugin)) {
    const guess = didYouMean(tool, ownTools(plugin));
    return {
      message: `\`${id}\` is not a ${plugin} tool`,
      hint: guess ? `did you mean \`${plugin}.${guess}\`?` : `${plugin} tools are ${ownTools(plugin).join(", ")}`,
    };
  }
  const nearPlugin = didYouMean(plugin, PLUGINS);
  if (!nearPlugin) return undefined;
  const guess = ownTools(nearPlugin).includes(tool) ? `${nearPlugin}.${tool}` : didYouMean(id, BUILTIN_TOOLS);
  return {
    message: `\`${id}\` is not a built-in tool`,
    hint: guess ? `did you mean \`${guess}\`?` : `${nearPlugin} tools are ${ownTools(nearPlugin).map((t) => `${nearPlugin}.${t}`).join(", ")}`,
  };
}
