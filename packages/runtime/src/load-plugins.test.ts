import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { loadPlugins } from "./load-plugins.js";
import { tempDir } from "@worksite/test-support";

/** A worksite folder with `@worksite/plugin-<name>` installed in its node_modules, as `npm install` would leave it. */
async function worksiteWithPlugin(name: string): Promise<string> {
  const root = await tempDir("worksite-plugins-");
  const dir = join(root, "node_modules", "@worksite", `plugin-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: `@worksite/plugin-${name}`, version: "1.0.0", type: "module", main: "index.js" }),
  );
  await writeFile(join(dir, "index.js"), `export default { name: ${JSON.stringify(name)}, tools: {} };\n`);
  await writeFile(join(root, "THREAD.md"), "# t\n");
  return root;
}

async function failure(names: string[], root: string): Promise<UserError> {
  const error: unknown = await loadPlugins(names, root).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(UserError.isUserError(error)).toBe(true);
  return error as UserError;
}

describe("loadPlugins", () => {
  it("loads a plugin installed in the worksite", async () => {
    const root = await worksiteWithPlugin("weather");
    expect((await loadPlugins(["weather"], root)).map((p) => p.name)).toEqual(["weather"]);
  });

  it("suggests the nearest real plugin for a mistyped name instead of installing a package that does not exist", async () => {
    const root = await worksiteWithPlugin("weather");
    const typo = await failure(["browsr"], root);
    expect(typo.message).toBe('THREAD.md names plugin "browsr" but @worksite/plugin-browsr is not installed');
    expect(typo.hint).toContain("did you mean `browser`?");
    expect(typo.hint).not.toContain("npm install");
    // An installed plugin is a candidate too.
    expect((await failure(["wether"], root)).hint).toContain("did you mean `weather`?");
  });

  it("says how to install a plugin whose name is near no known plugin", async () => {
    const root = await worksiteWithPlugin("weather");
    const error = await failure(["spreadsheet-sync"], root);
    expect(error.hint).toContain("npm install @worksite/plugin-spreadsheet-sync");
    expect(error.hint).not.toContain("did you mean");
  });
});
