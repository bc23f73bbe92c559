import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { didYouMean, type Plugin, UserError } from "@worksite/core";

/** Plugins this repository publishes; installed `@worksite/plugin-*` packages are added to these for suggestions. */
const FIRST_PARTY_PLUGINS = ["browser"];

/** `browser` → `@worksite/plugin-browser`; a scoped or full package name is taken as it is. */
export function pluginPackageName(name: string): string {
  return name.startsWith("@") || name.includes("/") || name.startsWith("worksite-plugin-") ? name : `@worksite/plugin-${name}`;
}

/**
 * Loads the plugins THREAD.md names. A plugin is an ordinary npm package,
 * resolved from the worksite first (what the user installed there), then from
 * wherever worksite itself is installed.
 */
export async function loadPlugins(names: readonly string[], root: string, threadFile = "THREAD.md"): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  const bases = pluginBases(root);
  for (const name of names) {
    const pkg = pluginPackageName(name);
    const resolved = resolvePlugin(name, bases);
    if (!resolved) {
      const guess = nearestPlugin(name, bases);
      throw new UserError(`${threadFile} names plugin "${name}" but ${pkg} is not installed`, {
        hint: guess
          ? `did you mean \`${guess}\`? fix the name under plugins: in ${threadFile}`
          : `install it in the worksite with: npm install ${pkg}   (or remove "${name}" from plugins: in ${threadFile})`,
      });
    }
    const mod = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
    const plugin = mod.default;
    if (!isPlugin(plugin)) throw new UserError(`${pkg} does not default-export a worksite plugin`, { hint: "a plugin package's default export is definePlugin({ name, tools })" });
    plugins.push(plugin);
  }
  return plugins;
}

/** Where plugins are looked for: the worksite first, then the folder it runs from, then wherever the running `worksite` command and this package are installed. */
export function pluginBases(root: string, cwd = process.cwd()): string[] {
  return [join(root, "package.json"), join(cwd, "package.json"), ...(process.argv[1] ? [process.argv[1]] : []), fileURLToPath(import.meta.url)];
}

/** The file a plugin name (`browser`, or a package name) loads from, or undefined when no base can resolve it. */
export function resolvePlugin(name: string, bases: readonly string[]): string | undefined {
  const pkg = pluginPackageName(name);
  for (const base of bases) {
    try {
      return createRequire(base).resolve(pkg);
    } catch {
      // not installed there; try the next place
    }
  }
  return undefined;
}

/** The real plugin name nearest a mistyped one: the first-party plugins and every `@worksite/plugin-*` installed above the bases. */
export function nearestPlugin(name: string, bases: readonly string[]): string | undefined {
  const known = [...new Set([...FIRST_PARTY_PLUGINS, ...installedPluginNames(bases)])].filter((k) => k !== name);
  return didYouMean(name, known);
}

/** `@worksite/plugin-*` folders in node_modules above each base, by their short names. */
function installedPluginNames(bases: readonly string[]): string[] {
  const names: string[] = [];
  for (const base of bases) {
    for (let dir = dirname(base); ; dir = dirname(dir)) {
      const scope = join(dir, "node_modules", "@worksite");
      if (existsSync(scope)) {
        try {
          for (const e of readdirSync(scope)) if (e.startsWith("plugin-")) names.push(e.slice("plugin-".length));
        } catch {
          // unreadable: nothing to suggest from here
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return names;
}

function isPlugin(value: unknown): value is Plugin {
  return typeof value === "object" && value !== null && typeof (value as Plugin).name === "string" && typeof (value as Plugin).tools === "object";
}
