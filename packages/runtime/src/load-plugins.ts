import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Plugin, UserError } from "@worksite/core";

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
  for (const name of names) {
    const pkg = pluginPackageName(name);
    // The worksite first, then the folder it runs from, then wherever the running `worksite` command is installed.
    const bases = [join(root, "package.json"), join(process.cwd(), "package.json"), ...(process.argv[1] ? [process.argv[1]] : []), import.meta.url];
    const resolved = resolveFrom(pkg, bases);
    if (!resolved) {
      throw new UserError(`${threadFile} names plugin "${name}" but ${pkg} is not installed`, {
        hint: `install it in the worksite with: npm install ${pkg}   (or remove "${name}" from plugins: in ${threadFile})`,
      });
    }
    const mod = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
    const plugin = mod.default;
    if (!isPlugin(plugin)) throw new UserError(`${pkg} does not default-export a worksite plugin`, { hint: "a plugin package's default export is definePlugin({ name, tools })" });
    plugins.push(plugin);
  }
  return plugins;
}

function resolveFrom(pkg: string, bases: string[]): string | undefined {
  for (const base of bases) {
    try {
      return createRequire(base).resolve(pkg);
    } catch {
      // not installed there; try the next place
    }
  }
  return undefined;
}

function isPlugin(value: unknown): value is Plugin {
  return typeof value === "object" && value !== null && typeof (value as Plugin).name === "string" && typeof (value as Plugin).tools === "object";
}
