// Bundles the plugin's entry points with puppeteer-core and everything it imports into dist/bundle/, which
// package.json names (`exports` and `worksite.earlyStart`; both share one copy of the early-start module's state,
// the Chromium it started). Run after `tsc -b` (the package's build script and the test suite's global setup do);
// what is kept outside and why: scripts/bundle-package.mjs.
//
// Why (issue 13 item 4, bench/playwright-mcp/PROFILE.md "Cold start"): puppeteer-core with what it imports was
// ~250 files on `worksite mcp`'s cold-start path, each resolved, read and compiled on its own.
//
// What must stay off the path a session takes to drive Chromium over CDP, as lazy chunks, checked below: WebDriver
// BiDi (chromium-bidi), and @puppeteer/browsers' download code (install, HTTP with its proxy agents, archive
// unpacking). puppeteer-core imports the latter statically through @puppeteer/browsers' barrel; here that barrel is
// replaced, for puppeteer-core, by one that loads the download code when one of its functions is called (each
// returns a promise, so a caller cannot tell), and browser-data's import of the HTTP helpers likewise.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import { bundlePackage, modulesOf } from "../../../scripts/bundle-package.mjs";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const puppeteerFile = createRequire(join(pkgDir, "package.json")).resolve("puppeteer-core");
const browsersEsm = join(dirname(createRequire(puppeteerFile).resolve("@puppeteer/browsers")), "..", "esm");
if (!existsSync(join(browsersEsm, "main.js")))
  throw new Error(`@puppeteer/browsers has no ES modules at ${browsersEsm}`);

/** Module (in @puppeteer/browsers' lib/esm) → the functions its importers may call, each returning a promise. */
const LAZY = {
  "install.js": ["install", "uninstall", "getInstalledBrowsers", "canDownload"],
  "httpUtil.js": ["getJSON", "getText", "headHttpRequest", "downloadFile"],
};
for (const [file, names] of Object.entries(LAZY)) {
  const mod = await import(join(browsersEsm, file));
  for (const n of names)
    if (typeof mod[n] !== "function") throw new Error(`@puppeteer/browsers ${file} no longer exports ${n}()`);
}
// A virtual module's id shows in the bundle as a comment: the path inside the package, not this machine's.
const LAZY_PREFIX = "\0lazy:@puppeteer/browsers/";
const lazyId = (name) => `${LAZY_PREFIX}${name}`;
const BROWSERS_FOR_PUPPETEER = "\0puppeteer-browsers-cdp-path";
const at = (...parts) => JSON.stringify(join(browsersEsm, ...parts));
const browsersBarrel = `
export { launch, computeExecutablePath, computeSystemExecutablePath, TimeoutError, CDP_WEBSOCKET_ENDPOINT_REGEX, WEBDRIVER_BIDI_WEBSOCKET_ENDPOINT_REGEX, Process } from ${at("launch.js")};
export { detectBrowserPlatform } from ${at("detectPlatform.js")};
export { resolveBuildId, Browser, BrowserPlatform, ChromeReleaseChannel, createProfile, getVersionComparator, resolveDefaultUserDataDir } from ${at("browser-data", "browser-data.js")};
export { Cache, InstalledBrowser } from ${at("Cache.js")};
export { BrowserTag } from ${at("browser-data", "types.js")};
export { ${LAZY["install.js"].join(", ")} } from ${JSON.stringify(lazyId("install.js"))};
`;
const lazyModule = (name) =>
  [
    `const load = () => import(${at(name)});`,
    ...LAZY[name].map((n) => `export async function ${n}(...args) { return (await load()).${n}(...args); }`),
  ].join("\n");

const cdpPath = {
  name: "worksite-puppeteer-cdp-path",
  resolveId(source, importer) {
    if (source === "@puppeteer/browsers") return BROWSERS_FOR_PUPPETEER;
    if (source.startsWith(LAZY_PREFIX)) return source;
    if (importer?.startsWith(browsersEsm) && source.startsWith(".")) {
      const name = relative(browsersEsm, join(dirname(importer), source));
      // install.js, itself loaded lazily, takes the real HTTP helpers.
      if (name === "httpUtil.js" && !importer.endsWith(`${sep}install.js`)) return lazyId(name);
    }
    return null;
  },
  load(id) {
    if (id === BROWSERS_FOR_PUPPETEER) return browsersBarrel;
    if (id.startsWith(LAZY_PREFIX)) return lazyModule(id.slice(LAZY_PREFIX.length));
    return null;
  },
};

const chunks = await bundlePackage(pkgDir, {
  rolldown,
  inline: ["puppeteer-core"],
  // ws requires these native helpers inside a try and goes on without them.
  external: ["bufferutil", "utf-8-validate"],
  plugins: [cdpPath],
  // Listing or checking the plugin loads no puppeteer: it is imported when a browser is first wanted.
  lazy: /[\\/]node_modules[\\/]/,
});

// From `import("puppeteer-core")` to a CDP connection: neither BiDi nor the download code.
const entry = chunks.find((c) => c.isDynamicEntry && /puppeteer-core\.js$/.test(c.facadeModuleId ?? ""));
if (!entry) throw new Error("no lazy chunk for puppeteer-core: the plugin should import it when a browser is wanted");
const MUST_BE_LAZY =
  /chromium-bidi|puppeteer[\\/]bidi[\\/]bidi\.js|@puppeteer[\\/]browsers[\\/]lib[\\/]esm[\\/](install|httpUtil|fileUtil)\.js|proxy-agent|extract-zip|tar-fs/;
const eager = modulesOf(chunks, [entry]).filter((m) => MUST_BE_LAZY.test(m));
if (eager.length) throw new Error(`the plugin's CDP path would load: ${eager.slice(0, 5).join(", ")}`);
