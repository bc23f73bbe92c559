import { existsSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { loadSkill } from "./load-skill.js";
import { exec, npmPack } from "./npm.js";
import { declaredSkillPath, nameFromPackage, readPackageJson } from "./package-info.js";
import type { Skill } from "./types.js";

export interface AddOptions {
  /** The worksite root; the skill lands in its skills/ folder. */
  worksite: string;
  /** Where a relative tarball or folder path is resolved from. */
  cwd: string;
  /** Replace a skill of the same name already in skills/. */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface AddResult {
  skill: Skill;
  /** True when an existing skill of that name was replaced. */
  replaced: boolean;
}

/**
 * Installs a skill package into the worksite's own `skills/<name>/`.
 *
 * Why there and not node_modules: skills/ is the nearest place discovery
 * looks, it needs no package manager or lockfile in the worksite, and the
 * skill becomes plain text that is reviewed and synced with the rest of the
 * worksite. The package.json comes along, so `skill list` shows the version and
 * `skill pack` can publish it again.
 *
 * `spec` is a tarball (.tgz), a skill package folder, or anything `npm pack`
 * accepts (a package name, name@version); npm fetches the latter through its
 * ordinary client and configured registry.
 */
export async function addSkill(spec: string, options: AddOptions): Promise<AddResult> {
  const local = resolve(options.cwd, spec);
  // npm would read a missing path as a package spec and fail with its own ENOENT dump; say what is wrong instead.
  if (looksLikePath(spec) && !existsSync(local))
    throw new UserError(`no such file: ${spec}${local === spec ? "" : ` (looked for ${local})`}`, {
      hint: "check the path to the .tgz or skill folder; to install from the registry, name the package instead (worksite skill add name@version)",
    });
  const work = await mkdtemp(join(tmpdir(), "worksite-skill-add-"));
  const execOptions = { cwd: options.cwd, ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  try {
    let tarball: string;
    if (existsSync(local) && statSync(local).isFile()) tarball = local;
    else if (existsSync(local) && statSync(local).isDirectory()) tarball = join(work, await npmPack(local, work, execOptions));
    else tarball = join(work, await npmPack(spec, work, execOptions));

    const entries = (await exec("tar", ["-tzf", tarball], execOptions)).split("\n").filter(Boolean);
    const unsafe = entries.find((e) => e.startsWith("/") || e.split("/").includes("..") || !e.startsWith("package/"));
    if (unsafe) throw new UserError(`${spec} is not an npm package tarball: it holds ${unsafe}`, { hint: "make the tarball with worksite skill pack or npm pack" });
    const out = join(work, "out");
    await mkdir(out);
    await exec("tar", ["-xzf", tarball, "-C", out, "--no-same-owner", "--no-same-permissions"], execOptions);

    const pkgDir = join(out, "package");
    const pkg = await readPackageJson(pkgDir);
    const skillPath = declaredSkillPath(pkg);
    if (!pkg || !skillPath)
      throw new UserError(`${spec} does not declare a worksite skill`, { hint: `its package.json needs "keywords": ["worksite-skill"] and "worksite": { "skill": "./SKILL.md" }` });
    // Name the folder as the package implies, so the Agent Skills rule "name equals folder" can hold.
    const staged = join(out, nameFromPackage(pkg.name));
    await rename(pkgDir, staged);
    const checked = await loadSkill(resolve(staged, skillPath), { packageDir: staged });

    const target = join(resolve(options.worksite), "skills", checked.name);
    const replaced = existsSync(target);
    if (replaced && !options.force)
      throw new UserError(`skills/${checked.name} already exists`, { hint: "pass --force to replace it with this package" });
    if (replaced) await rm(target, { recursive: true, force: true });
    await mkdir(join(resolve(options.worksite), "skills"), { recursive: true });
    await cp(staged, target, { recursive: true });
    return { skill: await loadSkill(target, { source: "worksite" }), replaced };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A tarball name or a relative/absolute path: never a package name (npm names cannot start with "." or "/"),
 * nor a URL or other npm spec with a scheme (https:…/x.tgz, file:…), which npm fetches itself.
 */
function looksLikePath(spec: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return false;
  return /\.(tgz|tar\.gz)$/i.test(spec) || /^\.{0,2}\//.test(spec);
}
