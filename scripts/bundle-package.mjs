// Bundles a workspace package's entry points (what tsc wrote to dist/) with the libraries it names into
// dist/bundle/, for the packages on `worksite mcp`'s cold-start path (issue 13 item 4): on Node 20 each ES module
// costs its own resolve, read and compile, and a library of a hundred files loads in a fraction of the time as a
// few chunks. Used by plugins/browser/scripts/bundle.mjs and packages/mcp/scripts/bundle.mjs, after `tsc -b`.
//
// The entries are the files package.json names under ./dist/bundle/ (exports' default, publishConfig's, and
// `worksite.earlyStart`): each is the bundle of the file tsc wrote under the same name, and all are bundled
// together, so they share one copy of every module (and of any state one holds).
//
// Always outside, imported as installed:
//   - `@worksite/*`: the runtime resolves plugins from its own place, and every package must meet the one
//     `@worksite/core` the runtime's gate uses;
//   - `zod`: `.describe()` keeps descriptions in that copy's global registry, which the MCP tool list reads, so a
//     process must hold one copy;
//   - Node's own modules.
// The licenses of what is inlined go to dist/bundle/THIRD-PARTY-NOTICES.md, and the files' own @license comments
// stay in the code.
import { existsSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";

const alwaysExternal = (source) =>
  source.startsWith("node:") || source.startsWith("@worksite/") || source === "zod" || source.startsWith("zod/");
const packageName = (source) =>
  source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0];

/**
 * @param {string} pkgDir the package's folder
 * @param {object} options
 * @param {typeof import("rolldown").rolldown} options.rolldown the package's own (a devDependency of each)
 * @param {string[]} options.inline libraries the package's own code may import, inlined with what they import
 * @param {string[]} [options.external] other imports kept outside (e.g. optional native addons required in a try)
 * @param {import("rolldown").Plugin[]} [options.plugins] resolve/load hooks of the caller's, run first
 * @param {RegExp} options.lazy modules that must not load with the entries, only when used (checked on the chunks)
 * @returns {Promise<import("rolldown").OutputChunk[]>} the chunks written, for further checks
 */
export async function bundlePackage(pkgDir, { rolldown, inline, external = [], plugins = [], lazy }) {
  const dist = join(pkgDir, "dist");
  const out = join(dist, "bundle");
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const named = [pkg.exports?.["."]?.default, pkg.publishConfig?.exports?.["."]?.default, pkg.worksite?.earlyStart];
  const input = {};
  for (const target of named.filter((t) => typeof t === "string")) {
    const m = /^\.\/dist\/bundle\/([\w-]+)\.js$/.exec(target);
    if (!m) throw new Error(`${pkg.name}'s package.json names ${target}: its entry points are ./dist/bundle/<name>.js`);
    const source = join(dist, `${m[1]}.js`);
    if (!existsSync(source)) throw new Error(`${relative(pkgDir, source)} is missing: run tsc -b first`);
    input[m[1]] = source;
  }
  const isOwn = (file) => file.startsWith(`${dist}${sep}`) && !file.startsWith(`${out}${sep}`);
  const keepOutside = {
    name: "worksite-bundle-externals",
    resolveId(source, importer) {
      if (!importer || source.startsWith(".") || source.startsWith("/") || source.startsWith("\0")) return null;
      if (alwaysExternal(source) || external.includes(source)) return { id: source, external: true };
      if (isOwn(importer) && !inline.includes(packageName(source)))
        throw new Error(`${pkg.name}'s bundle would inline "${source}" (from ${importer}): list it or keep it outside`);
      return null;
    },
    // CommonJS code may read __dirname and __filename, which an ES module has not: the chunk's own, as the
    // inlined file had its own.
    renderChunk(code) {
      if (!/\b__(dirname|filename)\b/.test(code)) return null;
      return `import { fileURLToPath as __fileURLToPath } from "node:url";\nconst __filename = __fileURLToPath(import.meta.url);\nconst __dirname = __fileURLToPath(new URL(".", import.meta.url));\n${code}`;
    },
  };

  await rm(out, { recursive: true, force: true });
  const bundle = await rolldown({ input, platform: "node", plugins: [...plugins, keepOutside], logLevel: "warn" });
  const { output } = await bundle.write({
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    // A virtual module's name starts with "_" (its id with \0); the chunk keeps a readable name.
    chunkFileNames: (chunk) => `chunks/${chunk.name.replace(/^_+/, "")}-[hash].js`,
    comments: { legal: true },
  });
  await bundle.close();
  const chunks = output.filter((o) => o.type === "chunk");

  // What is only needed once used stays out of what importing the package loads.
  const eager = modulesOf(
    chunks,
    chunks.filter((c) => c.isEntry),
  ).filter((m) => lazy.test(m));
  if (eager.length) throw new Error(`${pkg.name}'s entries would load at import: ${eager.slice(0, 5).join(", ")}`);
  await writeFile(join(out, "THIRD-PARTY-NOTICES.md"), notices(chunks.flatMap((c) => c.moduleIds)));
  return chunks;
}

/** The modules the given chunks load with them: theirs and those of the chunks they import statically. */
export function modulesOf(chunks, roots) {
  const byFile = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set();
  const visit = (c) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const f of c.imports) if (byFile.has(f)) visit(byFile.get(f));
  };
  for (const r of roots) visit(r);
  return [...seen].flatMap((c) => c.moduleIds).filter((m) => !m.startsWith("\0"));
}

/**
 * Each inlined package's name, version and license, with its license file's text, or (puppeteer-core and
 * @puppeteer/browsers ship none) the license's text from another inlined package under the same license.
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
      // A package.json that only sets the module type of a subfolder has no name.
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
    "The files in this folder include the following packages, bundled, under their licenses.",
    "",
    ...sorted.flatMap((p) => [`## ${p.name} ${p.version} (${p.license})`, "", "```", textFor(p), "```", ""]),
  ].join("\n");
}
