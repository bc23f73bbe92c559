import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Some tests run real processes from the built packages (the `worksite` binary,
 * a second process appending to the audit log, children contending for a lock).
 * They must run what the source says, never a stale or missing dist/, so the
 * whole workspace is built once before any test runs, and a failed build fails
 * the run instead of letting those tests skip or test old code (issue 19).
 *
 * Every project lists this file, so running one project (or vitest inside one
 * package) builds too; within one vitest process the build happens once.
 */
const repoRoot = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** The projects `tsc -b` builds: the root tsconfig's references. */
function projects(): string[] {
  const config = JSON.parse(readFileSync(join(repoRoot, "tsconfig.json"), "utf8")) as {
    references?: { path: string }[];
  };
  return (config.references ?? []).map((r) => join(repoRoot, r.path));
}

/** The files a project's package.json points at (exports' default, bin), which its build must have emitted. */
function entryFiles(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
    bin?: string | Record<string, string>;
  };
  const dot = pkg.exports?.["."] as { default?: string } | undefined;
  const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
  return [dot?.default, ...bins].filter((f): f is string => typeof f === "string").map((f) => join(dir, f));
}

/**
 * `tsc -b` judges a project up to date from its tsbuildinfo alone, so a deleted
 * dist/ would stay deleted; forgetting the buildinfo of a project whose outputs
 * are missing makes it (and what depends on it) build again.
 */
function forgetMissingOutputs(): void {
  for (const dir of projects()) {
    if (entryFiles(dir).some((f) => !existsSync(f))) rmSync(join(dir, "tsconfig.tsbuildinfo"), { force: true });
  }
}

function build(): Promise<void> {
  forgetMissingOutputs();
  return run(tsc, ["-b"], "tsc -b").then(() =>
    // The CLI's fast entry is a bundle of what tsc wrote (packages/cli/scripts/bundle-fast.mjs): made again
    // each time, so the `worksite` binary the tests spawn never runs a stale bundle.
    Promise.all([
      run(join(repoRoot, "packages/cli/scripts/bundle-fast.mjs"), [], "the CLI's bundle-fast.mjs"),
      // The browser plugin's and the MCP server's dist/bundle/ (with puppeteer-core, with the MCP SDK) are what
      // the `worksite` binary loads.
      run(join(repoRoot, "plugins/browser/scripts/bundle.mjs"), [], "the browser plugin's bundle.mjs"),
      run(join(repoRoot, "packages/mcp/scripts/bundle.mjs"), [], "the MCP server's bundle.mjs"),
    ]).then(() => undefined),
  );
}

function run(script: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const output = `${stdout}${stderr}`.trim();
        reject(
          new Error(
            `the workspace does not build (${what} in ${repoRoot}), so tests that run built code cannot run:\n${output || error.message}`,
          ),
        );
      },
    );
  });
}

const key = Symbol.for("worksite.tests.build");
type WithBuild = typeof globalThis & { [key]?: Promise<void> };

export default async function setup(): Promise<void> {
  const shared = globalThis as WithBuild;
  shared[key] ??= build();
  await shared[key];
}
