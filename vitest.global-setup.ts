import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname } from "node:path";
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

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, "-b"], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const output = `${stdout}${stderr}`.trim();
      reject(new Error(`the workspace does not build (tsc -b in ${repoRoot}), so tests that run built code cannot run:\n${output || error.message}`));
    });
  });
}

const key = Symbol.for("worksite.tests.build");
type WithBuild = typeof globalThis & { [key]?: Promise<void> };

export default async function setup(): Promise<void> {
  const shared = globalThis as WithBuild;
  shared[key] ??= build();
  await shared[key];
}
