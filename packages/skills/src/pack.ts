import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { loadSkill } from "./load-skill.js";
import { npmPack } from "./npm.js";
import { declaredSkillPath, readPackageJson } from "./package-info.js";

export interface PackResult {
  /** Absolute path of the tarball. */
  tarball: string;
  name: string;
  packageName: string;
  version: string;
}

export interface PackOptions {
  /** Folder the tarball is written to; created when missing. */
  destination: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Packs a skill folder with npm's own `npm pack`, so the tarball is exactly
 * what `npm publish` would upload. The skill is checked first: a broken
 * SKILL.md never leaves the machine. Versions come from package.json, which
 * changesets bump.
 */
export async function packSkill(dir: string, options: PackOptions): Promise<PackResult> {
  const skill = await loadSkill(dir);
  const pkg = await readPackageJson(skill.dir);
  if (!pkg || !declaredSkillPath(pkg))
    throw new UserError(`skill ${skill.name} has no package.json declaring it`, {
      hint: `add a package.json with "keywords": ["worksite-skill"] and "worksite": { "skill": "./SKILL.md" } (worksite skill new writes one)`,
    });
  const destination = resolve(options.destination);
  await mkdir(destination, { recursive: true });
  const file = await npmPack(undefined, destination, {
    cwd: skill.dir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { tarball: join(destination, file), name: skill.name, packageName: pkg.name, version: pkg.version };
}
