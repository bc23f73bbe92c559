// Bundles the plugin's entry points (what tsc wrote to dist/) with puppeteer-core and everything it imports into
// dist/bundle/, which package.json names (`exports` and `worksite.earlyStart`). Run after `tsc -b` (the package's
// build script and the test suite's global setup do).
//
// Why (issue 13 item 4, bench/playwright-mcp/PROFILE.md "Cold start"): `worksite mcp`'s cold start is the ES
// module loader, and puppeteer-core alone is ~145 files, each resolved, read and compiled on its own; as a few
// chunks it loads in about a third less time. What stays outside, imported as installed:
//   - `@worksite/*`: the runtime resolves plugins from its own place, and plugins must meet the one
//     `@worksite/core` the runtime's gate uses;
//   - `zod`: `.describe()` keeps descriptions in that copy's global registry, which the MCP tool list reads, so
//     the process must hold one copy;
//   - Node's own modules, and ws's optional native helpers (required inside a try, absent is fine).
// Both entries are bundled together, so they share one copy of every module: the early-start module's state
// (the Chromium it started) is what the plugin's session later takes.
//
// What must stay off the path a session takes to drive Chromium over CDP, as lazy chunks, and is checked below:
// WebDriver BiDi (chromium-bidi), and @puppeteer/browsers' download code (install, HTTP with its proxy agents,
// archive unpacking). puppeteer-core imports the latter statically through @puppeteer/browsers' barrel; here that
// barrel is replaced, for puppeteer-core, by one that loads the download code only when one of its functions is
// called (every one of them returns a promise, so a caller cannot tell).
import { existsSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "..");
const dist = join(pkgDir, "dist");
const out = join(dist, "bundle");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

/** Libraries the plugin's own code may import to be inlined (with whatever they import in turn). */
const INLINE = new Set(["puppeteer-core"]);
/** Imported as installed: see above. */
const external = (source) =>
  source.startsWith("node:") || /^@worksite\//.test(source) || source === "zod" || source.startsWith("zod/");
/** ws requires these inside a try and goes on without them; they are native addons nobody here installs. */
const OPTIONAL_NATIVE = new Set(["bufferutil", "utf-8-validate"]);

// The entries: each file package.json names in dist/bundle/ is the bundle of the file tsc wrote under the same name.
const named = [pkg.exports["."].default, pkg.publishConfig.exports["."].default, pkg.worksite.earlyStart];
const input = {};
for (const target of named) {
  const m = /^\.\/dist\/bundle\/([\w-]+)\.js$/.exec(target);
  if (!m) throw new Error(`package.json names ${target}: the plugin's entry points are ./dist/bundle/<name>.js`);
  const source = join(dist, `${m[1]}.js`);
  if (!existsSync(source)) throw new Error(`${relative(pkgDir, source)} is missing: run tsc -b first`);
  input[m[1]] = source;
}

// @puppeteer/browsers as puppeteer-core sees it: the parts a launch or a connection runs, and the download code
// behind functions that load it when called.
const puppeteerFile = createRequire(join(pkgDir, "package.json")).resolve("puppeteer-core");
const browsersEsm = join(dirname(createRequire(puppeteerFile).resolve("@puppeteer/browsers")), "..", "esm");
if (!existsSync(join(browsersEsm, "main.js")))
  throw new Error(`@puppeteer/browsers has no ES modules at ${browsersEsm}`);
const LAZY = {
  // module (in @puppeteer/browsers' lib/esm) → the functions (each returns a promise) its importers may call
  "install.js": ["install", "uninstall", "getInstalledBrowsers", "canDownload"],
  "httpUtil.js": ["getJSON", "getText", "headHttpRequest", "downloadFile"],
};
const BROWSERS_FOR_PUPPETEER = "\0puppeteer-browsers-cdp-path";
// A virtual module's id shows in the bundle as a comment: the path inside the package, not this machine's.
const LAZY_PREFIX = "\0lazy:@puppeteer/browsers/";
const lazyId = (file) => `${LAZY_PREFIX}${relative(browsersEsm, file)}`;
const browsersBarrel = [
  `export { launch, computeExecutablePath, computeSystemExecutablePath, TimeoutError, CDP_WEBSOCKET_ENDPOINT_REGEX, WEBDRIVER_BIDI_WEBSOCKET_ENDPOINT_REGEX, Process } from ${JSON.stringify(join(browsersEsm, "launch.js"))};`,
  `export { detectBrowserPlatform } from ${JSON.stringify(join(browsersEsm, "detectPlatform.js"))};`,
  `export { resolveBuildId, Browser, BrowserPlatform, ChromeReleaseChannel, createProfile, getVersionComparator, resolveDefaultUserDataDir } from ${JSON.stringify(join(browsersEsm, "browser-data", "browser-data.js"))};`,
  `export { Cache, InstalledBrowser } from ${JSON.stringify(join(browsersEsm, "Cache.js"))};`,
  `export { BrowserTag } from ${JSON.stringify(join(browsersEsm, "browser-data", "types.js"))};`,
  `export { ${LAZY["install.js"].join(", ")} } from ${JSON.stringify(lazyId(join(browsersEsm, "install.js")))};`,
].join("\n");
const lazyModule = (file, names) =>
  [
    `const load = () => import(${JSON.stringify(file)});`,
    ...names.map((n) => `export async function ${n}(...args) { return (await load()).${n}(...args); }`),
  ].join("\n");

// Every name above must exist in the installed @puppeteer/browsers, or a caller would get undefined at run time.
for (const [file, names] of Object.entries(LAZY)) {
  const mod = await import(join(browsersEsm, file));
  for (const n of names)
    if (typeof mod[n] !== "function") throw new Error(`@puppeteer/browsers ${file} no longer exports ${n}()`);
}

const isOwn = (file) => file.startsWith(`${dist}${sep}`) && !file.startsWith(`${out}${sep}`);
const packageName = (source) =>
  source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0];

const plugin = {
  name: "worksite-browser-bundle",
  resolveId(source, importer) {
    if (!importer) return null;
    if (external(source)) return { id: source, external: true };
    if (source === "@puppeteer/browsers") return BROWSERS_FOR_PUPPETEER;
    if (source.startsWith(LAZY_PREFIX)) return source;
    if (source.startsWith(".") && importer.startsWith(browsersEsm)) {
      const file = join(dirname(importer), source);
      // install.js itself is loaded lazily, and takes the real module it needs.
      if (file === join(browsersEsm, "httpUtil.js") && !importer.endsWith(`${sep}install.js`)) return lazyId(file);
    }
    if (source.startsWith(".") || source.startsWith("/")) return null;
    if (OPTIONAL_NATIVE.has(source)) return { id: source, external: true };
    if (isOwn(importer) && !INLINE.has(packageName(source)))
      throw new Error(
        `the plugin's bundle would inline "${source}" (from ${importer}): add it to INLINE or keep it external`,
      );
    return null;
  },
  // CommonJS code reads __dirname and __filename, which an ES module has not (quickjs, under proxy-agent's PAC
  // support, takes its folder from them): the chunk's own, as the inlined file would have had its own.
  renderChunk(code) {
    if (!/\b__(dirname|filename)\b/.test(code)) return null;
    return `import { fileURLToPath as __fileURLToPath } from "node:url";\nconst __filename = __fileURLToPath(import.meta.url);\nconst __dirname = __fileURLToPath(new URL(".", import.meta.url));\n${code}`;
  },
  load(id) {
    if (id === BROWSERS_FOR_PUPPETEER) return browsersBarrel;
    if (id.startsWith(LAZY_PREFIX)) {
      const name = id.slice(LAZY_PREFIX.length);
      return lazyModule(join(browsersEsm, name), LAZY[name]);
    }
    return null;
  },
};

await rm(out, { recursive: true, force: true });
const bundle = await rolldown({ input, platform: "node", plugins: [plugin], logLevel: "warn" });
const { output } = await bundle.write({
  dir: out,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "chunks/[name]-[hash].js",
  // The copyright and license lines of the inlined files stay beside their code.
  comments: { legal: true },
});
await bundle.close();
const chunks = output.filter((o) => o.type === "chunk");

// The checks: the entries load none of the libraries (a plugin that is only listed or checked loads no puppeteer),
// and the path from `import("puppeteer-core")` to a CDP connection loads neither BiDi nor the download code.
const byFile = new Map(chunks.map((c) => [c.fileName, c]));
const closure = (roots) => {
  const seen = new Set();
  const visit = (c) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const f of c.imports) if (byFile.has(f)) visit(byFile.get(f));
  };
  for (const r of roots) visit(r);
  return [...seen];
};
const modulesOf = (cs) => cs.flatMap((c) => c.moduleIds);
const entryModules = modulesOf(closure(chunks.filter((c) => c.isEntry)));
const stray = entryModules.filter((m) => m.includes(`${sep}node_modules${sep}`));
if (stray.length) throw new Error(`the plugin's entries load libraries at import: ${stray.slice(0, 5).join(", ")}`);
const puppeteerChunk = chunks.find((c) => c.isDynamicEntry && /puppeteer-core\.js$/.test(c.facadeModuleId ?? ""));
if (!puppeteerChunk)
  throw new Error("no lazy chunk for puppeteer-core: the plugin should import it when a browser is wanted");
const cdpPath = modulesOf(closure([puppeteerChunk])).filter((m) => !m.startsWith("\0"));
const MUST_BE_LAZY =
  /chromium-bidi|puppeteer[\\/]bidi[\\/]bidi\.js|@puppeteer[\\/]browsers[\\/]lib[\\/]esm[\\/](install|httpUtil|fileUtil)\.js|proxy-agent|extract-zip|tar-fs/;
const eager = cdpPath.filter((m) => MUST_BE_LAZY.test(m));
if (eager.length) throw new Error(`the CDP path would load: ${eager.slice(0, 5).join(", ")}`);

await writeFile(join(out, "THIRD-PARTY-NOTICES.md"), notices(chunks.flatMap((c) => c.moduleIds)));

/**
 * The licenses of the packages inlined: each package's name, version and license, with its license file's text,
 * or (puppeteer-core and @puppeteer/browsers ship none) the license's text from another inlined package under the
 * same license; the copyright lines stay in the code as its legal comments.
 */
function notices(moduleIds) {
  const packages = new Map();
  for (const id of moduleIds) {
    const at = id.lastIndexOf(`${sep}node_modules${sep}`);
    if (at < 0 || id.startsWith("\0")) continue;
    for (let dir = dirname(id); dir.length > at; dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const meta = JSON.parse(readFileSync(file, "utf8"));
      if (!meta.name || !meta.version) continue;
      if (!packages.has(meta.name)) {
        const licenseFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].find((f) =>
          existsSync(join(dir, f)),
        );
        packages.set(meta.name, {
          name: meta.name,
          version: meta.version,
          license: typeof meta.license === "string" ? meta.license : meta.license?.type,
          text: licenseFile ? readFileSync(join(dir, licenseFile), "utf8").trim() : undefined,
        });
      }
      break;
    }
  }
  const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
  const textFor = (p) => {
    if (p.text) return p.text;
    const other = sorted.find((o) => o.text && o.license === p.license);
    if (!other) throw new Error(`${p.name} (${p.license}) ships no license text and no inlined package has it`);
    return `${p.name} ships no license file; the ${p.license} license's text, as ${other.name} ships it:\n\n${other.text}`;
  };
  return [
    "# Third-party notices",
    "",
    "The files in this folder include the following packages, bundled (scripts/bundle.mjs), under their licenses.",
    "",
    ...sorted.flatMap((p) => [`## ${p.name} ${p.version} (${p.license})`, "", "```", textFor(p), "```", ""]),
  ].join("\n");
}
