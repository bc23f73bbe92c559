import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { onTestFinished } from "vitest";

/*
 * The one temporary-folder helper of the workspace's tests. A folder made inside a test (or its beforeEach)
 * is removed when that test finishes; one made outside any test (module level, beforeAll) is removed when
 * the test process exits. Tests that remove their folders themselves may go on doing so.
 */

const leftForExit = new Set<string>();
let exitHookInstalled = false;

function removeLater(dir: string): void {
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
    return;
  } catch {
    // Not inside a test: vitest has no test to attach the removal to.
  }
  leftForExit.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const d of leftForExit) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  });
}

/**
 * A prefix is a name, never a path: `../` or `/` in it would make (and later remove) a folder outside
 * the OS temp folder.
 */
function checkedPrefix(prefix: string): string {
  if (!/^[\w.-]+$/.test(prefix) || prefix.startsWith("."))
    throw new Error(`tempDir: prefix "${prefix}" must be a plain name (letters, digits, - _ .), not a path`);
  return prefix;
}

/** `path` inside `dir`, or an error: a test's file list must not write outside the folder it made. */
function inside(dir: string, path: string): string {
  const target = resolve(dir, path);
  if (isAbsolute(path) || (target !== dir && !target.startsWith(`${dir}${sep}`)))
    throw new Error(`tempDirWith: "${path}" is outside the temporary folder; give paths relative to it`);
  return target;
}

/** A fresh, empty folder under the OS temp folder, named `<prefix>XXXXXX`. */
export async function tempDir(prefix = "worksite-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), checkedPrefix(prefix)));
  removeLater(dir);
  return dir;
}

/** tempDir for module-level setup, where no await is possible. */
export function tempDirSync(prefix = "worksite-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), checkedPrefix(prefix)));
  removeLater(dir);
  return dir;
}

/**
 * A fresh folder holding `files` (path relative to it → text; parent folders are made, and a path ending
 * in "/" is an empty folder).
 */
export async function tempDirWith(files: Record<string, string>, prefix = "worksite-test-"): Promise<string> {
  const dir = await tempDir(prefix);
  for (const [path, text] of Object.entries(files)) {
    const target = inside(dir, path);
    if (path.endsWith("/")) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return dir;
}
