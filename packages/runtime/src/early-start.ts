import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
// Subpaths, not the barrels: this runs before the runtime loads, and only saves time if it loads little (no zod:
// loading it and the parsers first put ~85 ms before Chromium's spawn).
import { threadPluginNames } from "@worksite/core/thread-plugins";
import { pluginBases } from "./load-plugins.js";
import { pluginPackageField } from "./plugin-package.js";

/** What a plugin's early-start module exports (package.json `worksite.earlyStart`). */
interface EarlyStartModule {
  /**
   * Begins the plugin's slow start-up work (resolving once it has begun, not finished); never rejects. The
   * plugin itself takes the result when it needs it.
   */
  startEarly(): Promise<{ discard(): Promise<void> }>;
}

export interface EarlyStarts {
  /** Ends whatever was started early and not taken by a plugin since. Safe to call twice. */
  discard(): Promise<void>;
}

/**
 * Lets the plugins THREAD.md names begin their slow start-up (the browser plugin: its Chromium) before the
 * runtime and the plugins themselves are loaded, so that work overlaps the loading (issue 13 item 4,
 * `worksite mcp`'s cold start). A plugin opts in with `worksite.earlyStart` in its package.json, a module that
 * loads little; it is found the way the plugin itself is (the worksite first), so the plugin later loaded
 * from the same package finds what its early module started. A THREAD.md whose settings do not parse, or
 * name something that is not a package, starts nothing: the session's own load reports it. One that fails
 * only the full parse (a misspelt setting) may start a plugin early; the session then fails to open and
 * `worksite mcp` discards what was started.
 */
export async function startPluginsEarly(root: string): Promise<EarlyStarts> {
  const started: { discard(): Promise<void> }[] = [];
  const file = join(root, "THREAD.md");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { discard: async () => {} };
  }
  const names = threadPluginNames(text, file) ?? [];
  const bases = pluginBases(root);
  for (const name of names) {
    const module = earlyStartFile(name, bases);
    if (!module) continue;
    try {
      const mod = (await import(pathToFileURL(module).href)) as Partial<EarlyStartModule>;
      if (typeof mod.startEarly === "function") started.push(await mod.startEarly());
    } catch {
      // The plugin's own load reports a broken package; starting early is only ever a head start.
    }
  }
  return {
    async discard() {
      await Promise.allSettled(started.map((s) => s.discard()));
    },
  };
}

/** The early-start module a plugin's package.json names, resolved inside that package, or undefined. */
export function earlyStartFile(name: string, bases: readonly string[]): string | undefined {
  const found = pluginPackageField(name, bases, "earlyStart");
  if (!found || typeof found.value !== "string") return undefined;
  const file = resolve(found.dir, found.value);
  // Never outside its package: the field is data, and only the package's own code may run early.
  if (!file.startsWith(`${found.dir}${sep}`) || !existsSync(file)) return undefined;
  // The real path, as the module loader uses it: the plugin's main module imports this same instance.
  return realpathSync(file);
}
