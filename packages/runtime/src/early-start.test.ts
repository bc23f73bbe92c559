import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";
import { startPluginsEarly } from "./early-start.js";

// A plugin's package.json may name a module the runtime runs before anything else loads (issue 13 item 4).
// That is code run on the strength of a file's say-so, so: only a plugin THREAD.md names, only a file inside
// that plugin's own package.

/** A worksite with `@worksite/plugin-x` installed in its own node_modules, its early module leaving a marker. */
async function worksiteWithPlugin(thread: string, earlyStart: string, earlyFile = "early.mjs") {
  // Removed when the test finishes.
  const dir = await tempDir("worksite-early-");
  const root = join(dir, "site");
  const pkg = join(root, "node_modules", "@worksite", "plugin-x");
  await mkdir(pkg, { recursive: true });
  await writeFile(join(root, "THREAD.md"), thread);
  await writeFile(join(root, "package.json"), JSON.stringify({ name: "site", private: true }));
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "@worksite/plugin-x",
      type: "module",
      main: "index.mjs",
      worksite: { earlyStart: earlyStart.replace("$DIR", dir) },
    }),
  );
  await writeFile(join(pkg, "index.mjs"), "export default { name: 'x', tools: {} };\n");
  const marker = (name: string) => join(dir, `${name}.ran`);
  const early = (name: string) =>
    `import { writeFileSync } from "node:fs";\nexport async function startEarly() { writeFileSync(${JSON.stringify(marker(name))}, ""); return { discard: async () => { writeFileSync(${JSON.stringify(marker(`${name}-discarded`))}, ""); } }; }\n`;
  await writeFile(join(pkg, earlyFile), early("plugin"));
  // A file outside the package that a hostile package.json could point at.
  await writeFile(join(dir, "evil.mjs"), early("evil"));
  return { root, ran: (name: string) => existsSync(marker(name)) };
}

const NAMES_X = "---\nplugins: [x]\n---\n# Thread\n";

describe("plugins started early", () => {
  it("runs the early-start module of a plugin THREAD.md names, from the worksite's own install, and discards it", async () => {
    const site = await worksiteWithPlugin(NAMES_X, "./early.mjs");
    const early = await startPluginsEarly(site.root);
    expect(site.ran("plugin")).toBe(true);
    await early.discard();
    expect(site.ran("plugin-discarded")).toBe(true);
  });

  it("never runs a file outside the plugin's package, whatever its package.json names", async () => {
    for (const where of ["../../../../evil.mjs", "$DIR/evil.mjs"]) {
      const site = await worksiteWithPlugin(NAMES_X, where);
      await startPluginsEarly(site.root);
      expect(site.ran("evil")).toBe(false);
      expect(site.ran("plugin")).toBe(false);
    }
  });

  it("starts nothing for a plugin THREAD.md does not name, or a THREAD.md that does not parse", async () => {
    for (const thread of ["---\nplugins: []\n---\n# Thread\n", "---\nplugins: [x\n---\n# Broken\n"]) {
      const site = await worksiteWithPlugin(thread, "./early.mjs");
      await (await startPluginsEarly(site.root)).discard();
      expect(site.ran("plugin")).toBe(false);
    }
  });

  it("reaches a plugin's early module before zod or the THREAD.md schema has loaded", async () => {
    // Loading them first put ~85 ms before `worksite mcp` spawned Chromium (bench/playwright-mcp/PROFILE.md).
    const site = await worksiteWithPlugin(NAMES_X, "./early.mjs");
    const trace = join(site.root, "..", "loaded.txt");
    const hooks = join(site.root, "..", "hooks.mjs");
    await writeFile(
      hooks,
      `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(trace)}, url + "\\n"); return next(url, context); }\n`,
    );
    const preload = join(site.root, "..", "preload.mjs");
    await writeFile(
      preload,
      `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    // The built module, in a process of its own, as `worksite mcp` runs it; it stops at the early module.
    const built = pathToFileURL(fileURLToPath(new URL("../dist/early-start.js", import.meta.url))).href;
    await promisify(execFile)(process.execPath, [
      "--import",
      pathToFileURL(preload).href,
      "--input-type=module",
      "-e",
      `const { startPluginsEarly } = await import(${JSON.stringify(built)}); await startPluginsEarly(${JSON.stringify(site.root)}); process.exit(0);`,
    ]);
    expect(site.ran("plugin")).toBe(true);
    const loaded = (await readFile(trace, "utf8")).split("\n").filter(Boolean);
    expect(loaded.some((u) => u.endsWith("/early.mjs"))).toBe(true);
    expect(loaded.filter((u) => /\/zod\/|\/parse-(thread|goal|permissions)\.js$/.test(u))).toEqual([]);
  });
});
