// Bundles dist/fast-entry.js (tsc's output) into dist/fast/: the entry bin.js runs. Run after `tsc -b`
// (the package's build script and the test suite's global setup do).
//
// Why a bundle (issue 13 item 3, measured in bench/RESULTS.md "Start-up"): on Node 20 each ES module costs its
// resolve, read and compile, and `status` loaded ~200 of them — zod alone is 95 files (65 of them locales
// nobody reads), ~57 ms of CPU against `node -e 0`'s ~66 ms. One bundle with zod tree-shaken starts in a
// fraction of that. What is bundled: the CLI's own modules that the fast commands use, the `@worksite/*`
// subpaths they import (parsers, records, policy), and the libraries listed in INLINE. What stays outside:
// every `@worksite/*` package root (so `@worksite/runtime`, which loads plugins, and `@worksite/core`, which
// plugins import, are the installed ones), the CLI modules that hold state bin.js shares (stop-signals) or
// read files beside them (version), and the plain entry other commands are handed to (full-entry).
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const out = join(dist, "fast");
const { FAST_COMMANDS } = await import(join(dist, "fast-commands.js"));

/** Libraries inlined (with what they import). Any other library is an error: add it here or keep it external. */
const INLINE = new Set(["zod", "js-yaml"]);
/** CLI modules kept as the files tsc wrote, imported from the bundle by relative path. */
const OWN_EXTERNAL = new Set(["stop-signals.js", "version.js", "full-entry.js"]);
/** The command modules the fast entry runs; the others stay the files tsc wrote (never loaded from here). */
const fastModules = new Set(FAST_COMMANDS.map((name) => `${name.replaceAll(" ", "-")}.js`));
for (const m of fastModules)
  if (!existsSync(join(dist, "commands", m))) throw new Error(`fast command module dist/commands/${m} is missing`);

/** Stands for dist/ in an external import until the chunk's own place is known (renderChunk). */
const DIST_MARK = "#worksite-dist/";
const isOwn = (file) => file.startsWith(`${dist}/`) && !file.startsWith(`${out}/`);
const packageRoot = /^@worksite\/[^/]+$/;

const keepOutside = {
  name: "worksite-fast-externals",
  async resolveId(source, importer) {
    if (!importer || source.startsWith("node:")) return null;
    if (source.startsWith(".")) {
      if (!isOwn(importer)) return null;
      const file = join(dirname(importer), source);
      const name = file.slice(dist.length + 1);
      const command = name.startsWith("commands/") && !name.includes("/", "commands/".length);
      if (
        OWN_EXTERNAL.has(name) ||
        (command && importer === join(dist, "commands", "index.js") && !fastModules.has(name.slice(9)))
      )
        return { id: `${DIST_MARK}${name}`, external: true };
      return null;
    }
    if (packageRoot.test(source)) return { id: source, external: true };
    if (source.startsWith("@worksite/")) return null;
    // A library: inline those listed, and whatever an inlined library itself imports.
    const name = source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0];
    if (INLINE.has(name) || importer.includes("/node_modules/")) return null;
    throw new Error(`the fast entry would bundle "${source}" (from ${importer}): add it to INLINE or keep it outside`);
  },
  renderChunk(code, chunk) {
    const up = relative(dirname(join(out, chunk.fileName)), dist)
      .split(sep)
      .join("/");
    return code.replaceAll(`"${DIST_MARK}`, `"${up}/`);
  },
};

await rm(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { "fast-entry": join(dist, "fast-entry.js") },
  platform: "node",
  plugins: [keepOutside],
  external: [/^node:/],
  logLevel: "warn",
});
await bundle.write({ dir: out, format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js" });
await bundle.close();
