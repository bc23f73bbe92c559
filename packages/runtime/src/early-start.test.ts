import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
});
