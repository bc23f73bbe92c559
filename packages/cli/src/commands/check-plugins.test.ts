import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

const base = {
  "GOAL.md": "## Goal\nTidy.\n",
  "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read(**)`\n",
};

/** A plugin package installed in the worksite's node_modules, as npm install would leave it. */
function pluginPackage(pkg: string, version: string, source: string): Record<string, string> {
  return {
    [`node_modules/${pkg}/package.json`]: JSON.stringify({ name: pkg, version, type: "module", main: "index.js" }),
    [`node_modules/${pkg}/index.js`]: source,
  };
}

/** A module that writes a marker file the moment it is imported. */
const markerOnImport = (marker: string) =>
  `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "imported");\nexport default { name: "evil", tools: {} };\n`;

describe("THREAD.md plugins are packages", () => {
  for (const how of ["relative", "absolute"] as const) {
    it(`a ${how} path under plugins: is refused by check, run and permissions explain without being imported`, async () => {
      const root = await tempWorksite(base, "worksite-plugins-");
      const marker = join(root, "imported-marker");
      const file = join(root, "evil.mjs");
      const entry = how === "relative" ? "./evil.mjs" : file;
      const { writeFile } = await import("node:fs/promises");
      await writeFile(file, markerOnImport(marker));
      await writeFile(join(root, "THREAD.md"), `---\nplugins:\n  - ${entry}\n---\n# t\n`);

      const check = await runCli(["check"], root);
      expect(check.code).toBe(1);
      expect(check.err).toContain(`THREAD.md:3:3: error: plugin \`${entry}\` is a path; plugins: names npm packages`);
      expect(check.err).toContain(`trust: local }, written by a person`);
      expect(check.err).not.toMatch(/\n\s+at /);
      const explain = await runCli(["permissions", "explain", "file.read", "a.txt", "-w", root], root);
      expect(explain.code).not.toBe(0);
      const ran = await runCli(["run"], root);
      expect(ran.code).not.toBe(0);
      expect(ran.err).toContain("is a path; plugins: names npm packages");
      expect(existsSync(marker)).toBe(false);
    });
  }

  it("lists each plugin with its package, version and first- or third-party, and flags a local plugin a person trusted", async () => {
    const root = await tempWorksite(
      {
        ...base,
        ...pluginPackage("@acme/worksite-plugin-weather", "2.3.4", 'export default { name: "weather", tools: {} };\n'),
        "plugins/mine.mjs": 'export default { name: "mine", tools: {} };\n',
        "THREAD.md":
          '---\nplugins:\n  - browser\n  - "@acme/worksite-plugin-weather"\n  - { path: ./plugins/mine.mjs, trust: local }\n---\n# t\n',
      },
      "worksite-plugins-",
    );
    const check = await runCli(["check"], root);
    expect(check.err).not.toContain("error:");
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/Plugins\n {2}browser +@worksite\/plugin-browser@\S+ {2}first-party\n/);
    expect(check.out).toContain("@acme/worksite-plugin-weather @acme/worksite-plugin-weather@2.3.4  third-party");
    expect(check.out).toMatch(/\.\/plugins\/mine\.mjs +local file plugins\/mine\.mjs {2}local \(trust: local\)/);
    expect(check.err).toContain(
      "THREAD.md:5:3: warning: local plugin ./plugins/mine.mjs runs in-process with your rights (trust: local)",
    );
    const json = JSON.parse((await runCli(["check", "--json"], root)).out) as {
      plugins: { entry: string; party: string; version?: string }[];
    };
    expect(json.plugins.map((p) => [p.entry, p.party])).toEqual([
      ["browser", "first-party"],
      ["@acme/worksite-plugin-weather", "third-party"],
      ["./plugins/mine.mjs", "local"],
    ]);
  });

  it("a plugin that fails to load is a check error with its reason, not a stack trace and not ok", async () => {
    const root = await tempWorksite(
      {
        ...base,
        ...pluginPackage("worksite-plugin-broken", "1.0.0", 'throw new Error("weather service key missing");\n'),
        "THREAD.md": "---\nplugins: [worksite-plugin-broken]\n---\n# t\n",
      },
      "worksite-plugins-",
    );
    const check = await runCli(["check"], root);
    expect(check.code).toBe(1);
    expect(check.err).toContain(
      "THREAD.md:2: error: plugin `worksite-plugin-broken`: worksite-plugin-broken failed to load: weather service key missing; a run cannot start without it",
    );
    expect(check.err).toContain("error: 1 error in the worksite at .; a run cannot start");
    expect(check.err).not.toMatch(/\n\s+at /);
    expect(check.out).not.toContain("ok:");
  });

  it("a plugin whose name another plugin (or a built-in one) already has is a check error naming both", async () => {
    const root = await tempWorksite(
      {
        ...base,
        ...pluginPackage("worksite-plugin-one", "1.0.0", 'export default { name: "twin", tools: {} };\n'),
        ...pluginPackage("worksite-plugin-two", "1.0.0", 'export default { name: "twin", tools: {} };\n'),
        ...pluginPackage("worksite-plugin-files", "1.0.0", 'export default { name: "file", tools: {} };\n'),
        "THREAD.md":
          "---\nplugins:\n  - worksite-plugin-one\n  - worksite-plugin-two\n  - worksite-plugin-files\n---\n# t\n",
      },
      "worksite-plugins-",
    );
    const check = await runCli(["check"], root);
    expect(check.code).toBe(1);
    expect(check.err).toContain(
      'THREAD.md:4: error: plugin `worksite-plugin-two`: its name "twin" is already taken by worksite-plugin-one',
    );
    expect(check.err).toContain(
      'THREAD.md:5: error: plugin `worksite-plugin-files`: its name "file" is already taken by a built-in plugin',
    );
    expect(check.err).toContain("2 errors");
  });
});
