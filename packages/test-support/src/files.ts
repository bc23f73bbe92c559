import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every regular file under the folders (recursively), for a test that looks for what must not be on disk.
 * A file can vanish between listing and reading (the audit log's lock comes and goes while its writer holds
 * and hands back the log): it is skipped, since nothing is left of it to hold anything.
 */
export async function filesUnder(dirs: readonly string[], skip: (path: string) => boolean = () => false) {
  const out: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile() && !skip(path)) out.push(path);
    }
  }
  return out;
}

/** The files under the folders whose bytes hold `value`; throws when there is no file at all (a test that looked at nothing). */
export async function filesHolding(
  dirs: readonly string[],
  value: string | Buffer,
  skip?: (path: string) => boolean,
): Promise<string[]> {
  const files = await filesUnder(dirs, skip);
  if (files.length === 0) throw new Error(`no files to look at under ${dirs.join(", ")}`);
  const found: string[] = [];
  for (const path of files) {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes?.includes(value)) found.push(path);
  }
  return found;
}
