import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { LocalPluginEntry, Plugin, SourceLocation, ThreadFile } from "@worksite/core";
// Subpaths: the plugin manifest reader uses this module on the start-up path of `permissions explain`, and the
// early start on `worksite mcp`'s, before zod loads.
import { isValidPackageName } from "@worksite/core/thread-plugins";
import { didYouMean, UserError } from "@worksite/core/messages";

/** Plugins this repository publishes; installed `@worksite/plugin-*` packages are added to these for suggestions. */
const FIRST_PARTY_PLUGINS = ["browser", "chrome", "computer-use"];

/** `browser` → `@worksite/plugin-browser`; a scoped or full package name is taken as it is. */
export function pluginPackageName(name: string): string {
  return name.startsWith("@") || name.includes("/") || name.startsWith("worksite-plugin-")
    ? name
    : `@worksite/plugin-${name}`;
}

export type PluginParty = "first-party" | "third-party" | "local";

/** One THREAD.md plugin as `check` shows it: where it comes from, and whether it loads. */
export interface PluginReport {
  /** As THREAD.md wrote it: a name, or the local file's path. */
  entry: string;
  /** The package it names (absent for a local file). */
  package?: string;
  version?: string;
  party: PluginParty;
  /** The file that was (or would be) imported. */
  file?: string;
  /** The plugin's own name (its tools are `<name>.<tool>`), once loaded. */
  name?: string;
  plugin?: Plugin;
  /** Why it cannot be used: not installed, failed to load, not a plugin, or a name another plugin has. */
  error?: string;
  /** The error is that no installed package provides it. */
  missing?: boolean;
  hint?: string;
  /** Where THREAD.md names it, for a local plugin. */
  source?: SourceLocation;
}

export interface InspectOptions {
  /** Plugin names already taken (the built-in plugins): a THREAD.md plugin of the same name is an error. */
  reserved?: readonly string[];
  bases?: readonly string[];
}

/**
 * Resolves and imports every plugin THREAD.md names, without throwing for one
 * that fails: each gets its package, version, party and error, so `check`
 * can list them all. Only package names and `{ path, trust: local }` entries
 * a person wrote ever reach `import()`; THREAD.md parsing refuses anything
 * else before this runs (issue 20).
 */
export async function inspectPlugins(
  thread: Pick<ThreadFile, "plugins" | "localPlugins" | "file">,
  root: string,
  options: InspectOptions = {},
): Promise<PluginReport[]> {
  const bases = options.bases ?? pluginBases(root);
  const reports: PluginReport[] = [];
  for (const name of thread.plugins) reports.push(await inspectPackage(name, bases, thread.file));
  for (const local of thread.localPlugins ?? []) reports.push(await inspectLocal(local, root));
  const taken = new Map<string, string>((options.reserved ?? []).map((n) => [n, "a built-in plugin"]));
  for (const r of reports) {
    if (r.error || !r.name) continue;
    const other = taken.get(r.name);
    if (other) {
      r.error = `its name "${r.name}" is already taken by ${other}`;
      r.hint = `remove one of them from plugins: in ${thread.file}; two plugins cannot share a name, since their tools are named <plugin>.<tool>`;
      continue;
    }
    taken.set(r.name, r.package ?? r.entry);
  }
  return reports;
}

/**
 * Loads the plugins THREAD.md names, or throws a UserError naming the first
 * that cannot be used. A plugin is an ordinary npm package, resolved from the
 * worksite first (what the user installed there), then from wherever worksite
 * itself is installed.
 */
export async function loadPlugins(
  names: readonly string[],
  root: string,
  threadFile = "THREAD.md",
  options: InspectOptions & { localPlugins?: readonly LocalPluginEntry[] } = {},
): Promise<Plugin[]> {
  for (const name of names)
    if (!isValidPackageName(name))
      throw new UserError(`${threadFile} names plugin "${name}", which is not a package name`, {
        hint: "plugins: names npm packages; a local file needs { path: …, trust: local }",
      });
  const reports = await inspectPlugins(
    {
      plugins: [...names],
      ...(options.localPlugins ? { localPlugins: [...options.localPlugins] } : {}),
      file: threadFile,
    },
    root,
    options,
  );
  const failed = reports.find((r) => r.error);
  if (failed)
    throw new UserError(
      `${threadFile} names plugin "${failed.entry}" but ${failed.error}`,
      failed.hint ? { hint: failed.hint } : {},
    );
  return reports.map((r) => r.plugin!);
}

async function inspectPackage(name: string, bases: readonly string[], threadFile: string): Promise<PluginReport> {
  const pkg = pluginPackageName(name);
  const party: PluginParty = pkg.startsWith("@worksite/plugin-") ? "first-party" : "third-party";
  const report: PluginReport = { entry: name, package: pkg, party };
  const resolved = resolvePlugin(name, bases);
  if (!resolved) {
    const guess = nearestPlugin(name, bases);
    report.error = `${pkg} is not installed`;
    report.missing = true;
    report.hint = guess
      ? `did you mean \`${guess}\`? fix the name under plugins: in ${threadFile}`
      : `install it in the worksite with: npm install ${pkg}   (or remove "${name}" from plugins: in ${threadFile})`;
    return report;
  }
  report.file = resolved;
  const version = packageVersion(resolved, pkg);
  if (version) report.version = version;
  return importPlugin(report, resolved);
}

async function inspectLocal(local: LocalPluginEntry, root: string): Promise<PluginReport> {
  const file = isAbsolute(local.path) ? local.path : resolve(root, local.path);
  const report: PluginReport = { entry: local.path, party: "local", file, source: local.source };
  if (!existsSync(file)) {
    report.error = `the local plugin file ${local.path} does not exist`;
    report.hint = "fix the path (it is relative to the worksite) or remove the entry";
    return report;
  }
  return importPlugin(report, file);
}

async function importPlugin(report: PluginReport, file: string): Promise<PluginReport> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    report.error = `${report.package ?? report.entry} failed to load: ${message}`;
    report.hint = "run it with node to see the whole error; fix or reinstall the plugin, or remove it from plugins:";
    return report;
  }
  const plugin = mod.default;
  if (!isPlugin(plugin)) {
    report.error = `${report.package ?? report.entry} does not default-export a worksite plugin`;
    report.hint = "a plugin package's default export is definePlugin({ name, tools })";
    return report;
  }
  report.plugin = plugin;
  report.name = plugin.name;
  return report;
}

/** The version in the package.json of the package a resolved file belongs to. */
function packageVersion(file: string, pkg: string): string | undefined {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    try {
      const json = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
      if (json.name === pkg) return typeof json.version === "string" ? json.version : undefined;
    } catch {
      // not JSON: keep looking upwards
    }
  }
  return undefined;
}

/** Where plugins are looked for: the worksite first, then the folder it runs from, then wherever the running `worksite` command and this package are installed. */
export function pluginBases(root: string, cwd = process.cwd()): string[] {
  return [
    join(root, "package.json"),
    join(cwd, "package.json"),
    ...(process.argv[1] ? [process.argv[1]] : []),
    fileURLToPath(import.meta.url),
  ];
}

/** The file a plugin name (`browser`, or a package name) loads from, or undefined when no base can resolve it. */
export function resolvePlugin(name: string, bases: readonly string[]): string | undefined {
  // Never a path: require.resolve would take `./x.mjs` or `/x.mjs` as a file and a plugin would be any file.
  if (!isValidPackageName(name)) return undefined;
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
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Plugin).name === "string" &&
    typeof (value as Plugin).tools === "object"
  );
}
