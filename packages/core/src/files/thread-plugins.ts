import { collector } from "./diagnostics.js";
import { normalizeText, readFrontmatter } from "./frontmatter.js";
import { isValidPackageName } from "./npm-name.js";

export { isValidPackageName } from "./npm-name.js";

/**
 * The plugin packages THREAD.md's `plugins:` names, read from its settings block alone, without the THREAD.md
 * schema and so without zod: for what starts before the rest of worksite loads (`worksite mcp` starts Chromium
 * before the runtime, issue 13 item 4; loading zod and the parsers first put ~85 ms before that spawn).
 * Undefined when the settings do not parse or name something that is not a package name, as the full parse
 * (parseThread) refuses those; a local plugin file (`{ path, trust: local }`) is not a package and is skipped.
 * The full parse still decides everything else when the session opens.
 */
export function threadPluginNames(text: string, file = "THREAD.md"): string[] | undefined {
  const d = collector(file);
  const { data } = readFrontmatter(normalizeText(text), d);
  if (d.hasErrors()) return undefined;
  // As the schema takes it: one entry alone stands for a list of one.
  const raw = data.plugins ?? [];
  const plugins: unknown[] = Array.isArray(raw) ? raw : [raw];
  const names: string[] = [];
  for (const entry of plugins) {
    if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) continue;
    if (typeof entry !== "string" || !isValidPackageName(entry)) return undefined;
    names.push(entry);
  }
  return names;
}
