import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";

/*
 * What `changeset publish` would upload, checked before anyone publishes: each public package is packed with
 * `pnpm pack` (the tarball a publish sends) and its contents are read as a person installing it gets them.
 */
const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const SUPPORTED_NODE = "^20.19.0 || ^22.12.0 || >=24";

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  worksite?: { skill?: string };
}

const publicPackages = ["packages", "plugins", "skills"]
  .flatMap((group) => readdirSync(join(repo, group)).map((name) => `${group}/${name}`))
  .filter((dir) => existsSync(join(repo, dir, "package.json")))
  .filter((dir) => !(JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as Manifest).private);

let work: string;
const unpacked = new Map<string, string>();

beforeAll(async () => {
  work = await tempDir("worksite-packs-");
  for (const dir of publicPackages) {
    const into = join(work, dir);
    await mkdir(into, { recursive: true });
    await run("pnpm", ["pack", "--pack-destination", into], { cwd: join(repo, dir) });
    const tarball = readdirSync(into).find((f) => f.endsWith(".tgz"))!;
    await run("tar", ["-xzf", tarball], { cwd: into });
    unpacked.set(dir, join(into, "package"));
  }
});
afterAll(() => rm(work, { recursive: true, force: true }));

function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"));
}

/** Every file an `exports` map points at, whatever the conditions. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports && typeof exports === "object") return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** Bare specifiers a built file imports: `from "x"`, `import("x")`, `import "x"`. */
function importsOf(source: string): string[] {
  const found = new Set<string>();
  // Comment lines can say `from "worksite"` in prose; only code imports.
  const code = source
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
    .join("\n");
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'./][^"']*)["']/g)) found.add(m[1]!);
  // Text that only looks like an import (inside a message or a comment) is not a package name.
  return [...found].filter((s) => /^(node:)?(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]*)?$/.test(s));
}

const packageOf = (specifier: string) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
const builtins = new Set(builtinModules);

describe.each(publicPackages)("the packed %s", (dir) => {
  const manifest = () => JSON.parse(readFileSync(join(unpacked.get(dir)!, "package.json"), "utf8")) as Manifest;
  const files = () => filesIn(unpacked.get(dir)!);

  it("carries its LICENSE and a readme (README.md, or SKILL.md for a skill)", () => {
    expect(files()).toContain("LICENSE");
    expect(files().some((f) => f === "README.md" || (manifest().worksite?.skill && f === "SKILL.md"))).toBe(true);
    expect(manifest().license).toBe("MIT");
  });

  it("declares the Node versions worksite supports", () => {
    expect(manifest().engines?.node).toBe(SUPPORTED_NODE);
  });

  it("ships no source, tests or test helpers", () => {
    const stray = files().filter(
      (f) =>
        f.startsWith("src/") ||
        /\.test\.|__fixtures__|test-support|test-helpers|\/testing\//.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")),
    );
    expect(stray).toEqual([]);
  });

  it("has every file its exports and bin name, and no export condition pointing at unshipped source", () => {
    const m = manifest();
    const targets = exportTargets(m.exports ?? {});
    for (const t of targets) expect(files(), `${m.name} exports ${t}`).toContain(t.replace(/^\.\//, ""));
    expect(JSON.stringify(m.exports ?? {})).not.toContain('"source"');
    const bins = typeof m.bin === "string" ? [m.bin] : Object.values(m.bin ?? {});
    for (const b of bins) {
      const file = b.replace(/^\.\//, "");
      expect(files(), `${m.name} bin ${b}`).toContain(file);
      expect(readFileSync(join(unpacked.get(dir)!, file), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    }
  });

  it("depends on versions, never on workspace: links, and declares every package its code imports", () => {
    const m = manifest();
    const declared = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies };
    for (const [name, range] of Object.entries(declared)) expect(range, name).not.toMatch(/^(workspace|catalog):/);
    const missing = new Set<string>();
    for (const f of files().filter((f) => /\.(m?js|cjs)$/.test(f))) {
      for (const spec of importsOf(readFileSync(join(unpacked.get(dir)!, f), "utf8"))) {
        if (spec.startsWith("node:") || builtins.has(spec)) continue;
        const pkg = packageOf(spec);
        if (pkg !== m.name && !(pkg in declared)) missing.add(`${pkg} (imported by ${f})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe("the packed packages installed together", () => {
  let home: string;
  beforeAll(async () => {
    home = await tempDir("worksite-install-");
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it("give a `worksite` command on PATH that runs as a person would use it, also when two installs into one folder overlap", async () => {
    const bin = join(home, "bin");
    // Two at once, as a CI run beside a demo check in another clone does: the second waits for the first
    // (it packed while the other installed, and npm found tarballs gone).
    const install = () =>
      run("bash", [join(repo, "scripts/install-cli.sh")], {
        cwd: repo,
        env: { ...process.env, WORKSITE_HOME: join(home, "lib"), WORKSITE_BIN: bin },
      });
    const [first, second] = await Promise.all([install(), install()]);
    expect(`${first.stderr}${second.stderr}`).toContain("another worksite install");
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const cliVersion = (JSON.parse(await readFile(join(repo, "packages/cli/package.json"), "utf8")) as Manifest)
      .version;
    // Found on PATH by its name, as a shell would.
    expect((await run("worksite", ["--version"], { env, cwd: home })).stdout).toBe(`${cliVersion}\n`);
    // It runs from the installed packages, not from this checkout.
    const site = join(home, "site");
    await run("worksite", ["init", site], { env, cwd: home });
    const checked = await run("worksite", ["check", "-w", site], { env, cwd: home });
    expect(checked.stdout).toContain("PERMISSIONS.md");
    const where = (
      await run("node", ["-e", "console.log(require('fs').realpathSync(process.argv[1]))", join(bin, "worksite")])
    ).stdout.trim();
    expect(where.startsWith(join(home, "lib", "node_modules"))).toBe(true);
    expect(dirname(where)).not.toContain(repo);
  });
});
