import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { linkedFiles } from "./linked-files.js";
import { listAllSkillFiles, loadSkill } from "./load-skill.js";
import { exec, npmPack } from "./npm.js";
import { declaredSkillPath, defaultPackageName, readPackageJson, SKILL_KEYWORD } from "./package-info.js";
import type { Skill } from "./types.js";

export interface PackResult {
  /** Absolute path of the tarball. */
  tarball: string;
  name: string;
  packageName: string;
  version: string;
  /** Every file in the tarball, relative to the skill folder. */
  files: string[];
  /** Files SKILL.md links to that exist but are not in the tarball (a package.json "files" list or .npmignore left them out). */
  leftOut: string[];
  /** True when the folder had no package.json and one was written into the package only. */
  generatedPackageJson: boolean;
}

export interface PackOptions {
  /** Folder the tarball is written to; created when missing. */
  destination: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Packs a skill folder with npm's own `npm pack`, so the tarball is exactly
 * what `npm publish` would upload: the whole folder minus npm's ignores and
 * the folder's own .npmignore (or package.json "files"). The skill is checked
 * first: a broken SKILL.md never leaves the machine. Versions come from
 * package.json, which changesets bump.
 *
 * A plain Agent Skills folder (no package.json) is packed as it is: a copy of
 * the folder gets a package.json (`worksite-skill-NAME`, the version from
 * `metadata.version`, else 0.0.0) and the folder itself is left untouched.
 */
export async function packSkill(dir: string, options: PackOptions): Promise<PackResult> {
  const skill = await loadSkill(dir);
  const destination = resolve(options.destination);
  await mkdir(destination, { recursive: true });
  const execOptions = {
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const pkg = await readPackageJson(skill.dir);
  if (pkg && !declaredSkillPath(pkg))
    throw new UserError(`skill ${skill.name} has a package.json that does not declare it`, {
      hint: `add "keywords": ["worksite-skill"] and "worksite": { "skill": "./SKILL.md" } to its package.json`,
    });
  let from = skill.dir;
  let staging: string | undefined;
  let packageName = pkg?.name ?? "";
  let version = pkg?.version ?? "";
  try {
    if (!pkg) {
      staging = await mkdtemp(join(tmpdir(), "worksite-skill-pack-"));
      from = join(staging, skill.name);
      const generated = packageJsonFor(skill);
      packageName = generated.name;
      version = generated.version;
      for (const f of await listAllSkillFiles(skill.dir)) {
        await mkdir(dirname(join(from, f)), { recursive: true });
        await copyFile(join(skill.dir, f), join(from, f));
      }
      await writeFile(join(from, "package.json"), `${JSON.stringify(generated, null, 2)}\n`);
    }
    const file = await npmPack(undefined, destination, { cwd: from, ...execOptions });
    const tarball = join(destination, file);
    const files = (await exec("tar", ["-tzf", tarball], { cwd: destination, ...execOptions }))
      .split("\n")
      .filter((l) => l && !l.endsWith("/"))
      .map((l) => l.replace(/^package\//, ""))
      .sort();
    const packed = new Set(files);
    const leftOut = linkedFiles(skill.body, skill.dir).filter((f) => !packed.has(f) && !isPackedFolder(f, files));
    return {
      tarball,
      name: skill.name,
      packageName,
      version,
      files,
      leftOut,
      generatedPackageJson: !pkg,
    };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

function isPackedFolder(path: string, files: string[]): boolean {
  return files.some((f) => f.startsWith(`${path.replace(/\/$/, "")}/`));
}

/** The package.json a plain folder is packed with; `skill add` of the tarball installs it under the same name. */
function packageJsonFor(skill: Skill) {
  const version = skill.frontmatter.metadata.version;
  return {
    name: defaultPackageName(skill.name),
    version: version && /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(version) ? version : semverOf(version),
    description: skill.description.replace(/\s+/g, " ").slice(0, 200),
    ...(skill.frontmatter.license ? { license: licenseField(skill) } : {}),
    keywords: [SKILL_KEYWORD, "agent-skill"],
    worksite: { skill: "./SKILL.md" },
  };
}

/** `1.0` → `1.0.0`, `2` → `2.0.0`; anything else → 0.0.0 (npm needs a full version). */
function semverOf(version: string | undefined): string {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version ?? "");
  return m ? `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}` : "0.0.0";
}

/** npm wants an SPDX id or `SEE LICENSE IN <file>`; a sentence such as "Complete terms in LICENSE.txt" becomes the latter. */
function licenseField(skill: Skill): string {
  const license = skill.frontmatter.license!;
  if (/^[A-Za-z0-9.+-]+$/.test(license)) return license;
  const file = /\b([\w.-]*LICEN[SC]E[\w.-]*)\b/i.exec(license)?.[1];
  return file && existsSync(join(skill.dir, file)) ? `SEE LICENSE IN ${file}` : "UNLICENSED";
}
