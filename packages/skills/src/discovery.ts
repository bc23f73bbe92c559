import { existsSync } from "node:fs";
import { readdir, realpath } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { loadSkill } from "./load-skill.js";
import { declaredSkillPath, isFirstPartyPackage, readPackageJson } from "./package-info.js";
import type { Skill, SkillSourceKind } from "./types.js";

export interface DiscoverOptions {
  /** The worksite root: its skills/ folder comes first, then node_modules here and in every folder above. */
  worksite: string;
  /** More places whose node_modules (and their ancestors') are scanned after the worksite's: where the CLI is installed. */
  packageRoots?: string[];
  /** Folders of first-party skill folders (this repository's skills/), searched last. */
  firstPartyDirs?: string[];
  /** Diagnostics name files relative to this folder. */
  relativeTo?: string;
}

export interface ShadowedSkill {
  skill: Skill;
  /** The nearer skill of the same name that is used instead. */
  by: Skill;
}

export interface SkillProblem {
  path: string;
  error: UserError;
}

export interface Discovery {
  /** The skills in effect, nearest first. */
  skills: Skill[];
  shadowed: ShadowedSkill[];
  /** Skills that failed to load; listing goes on without them. */
  problems: SkillProblem[];
}

interface Candidate {
  path: string;
  source: SkillSourceKind;
  packageDir?: string;
}

/**
 * Finds every skill in precedence order: the worksite's skills/, then installed
 * packages declaring a skill (nearer node_modules first), then first-party
 * skills (@worksite/skill-* packages and the given first-party folders).
 * The first skill of a name wins; later ones are reported as shadowed.
 */
export async function discoverSkills(options: DiscoverOptions): Promise<Discovery> {
  const worksite = resolve(options.worksite);
  const candidates: Candidate[] = [];
  for (const c of await skillFolders(join(worksite, "skills"), "worksite")) candidates.push(c);

  const roots = [...ancestors(worksite), ...(options.packageRoots ?? []).flatMap((r) => ancestors(resolve(r)))];
  const packages: Candidate[] = [];
  const firstPartyPackages: Candidate[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    for (const found of await skillPackages(join(root, "node_modules"))) {
      const real = await realpath(found.packageDir).catch(() => found.packageDir);
      if (seen.has(real)) continue;
      seen.add(real);
      (found.firstParty ? firstPartyPackages : packages).push({
        path: found.path,
        source: found.firstParty ? "first-party" : "package",
        packageDir: found.packageDir,
      });
    }
  }
  for (const c of [...packages, ...firstPartyPackages]) candidates.push(c);
  for (const dir of options.firstPartyDirs ?? [])
    for (const c of await skillFolders(resolve(dir), "first-party")) candidates.push(c);

  const result: Discovery = { skills: [], shadowed: [], problems: [] };
  const byName = new Map<string, Skill>();
  const loadedDirs = new Set<string>();
  for (const c of candidates) {
    const realDir = await realpath(dirname(c.path)).catch(() => dirname(c.path));
    if (loadedDirs.has(realDir)) continue; // the same folder reached twice (a workspace link and its target)
    loadedDirs.add(realDir);
    let skill: Skill;
    try {
      skill = await loadSkill(c.path, {
        source: c.source,
        ...(c.packageDir ? { packageDir: c.packageDir } : {}),
        ...(options.relativeTo ? { relativeTo: options.relativeTo } : {}),
      });
    } catch (error) {
      if (UserError.isUserError(error)) result.problems.push({ path: c.path, error });
      else throw error;
      continue;
    }
    const winner = byName.get(skill.name);
    if (winner) result.shadowed.push({ skill, by: winner });
    else {
      byName.set(skill.name, skill);
      result.skills.push(skill);
    }
  }
  return result;
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}

/** Each subfolder holding a SKILL.md, by name. */
async function skillFolders(dir: string, source: SkillSourceKind): Promise<Candidate[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter(
      (e) =>
        (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith(".") && existsSync(join(dir, e.name, "SKILL.md")),
    )
    .map((e) => e.name)
    .sort()
    .map((name) => ({ path: join(dir, name, "SKILL.md"), source }));
}

/** Packages in one node_modules folder (scoped ones too) whose package.json declares a skill. */
async function skillPackages(
  nodeModules: string,
): Promise<{ path: string; packageDir: string; firstParty: boolean }[]> {
  const top = await readdir(nodeModules, { withFileTypes: true }).catch(() => []);
  const dirs: string[] = [];
  for (const e of top) {
    if (e.name.startsWith(".")) continue;
    if (e.name.startsWith("@")) {
      const scoped = await readdir(join(nodeModules, e.name)).catch(() => []);
      for (const s of scoped) dirs.push(join(nodeModules, e.name, s));
    } else dirs.push(join(nodeModules, e.name));
  }
  const found: { path: string; packageDir: string; firstParty: boolean }[] = [];
  for (const packageDir of dirs.sort()) {
    const pkg = await readPackageJson(packageDir);
    const skill = declaredSkillPath(pkg);
    if (!pkg || !skill) continue;
    // The declared SKILL.md must be inside the package: a path out of it could name any file of the person's.
    if (!resolve(packageDir, skill).startsWith(`${packageDir}/`)) continue;
    found.push({ path: resolve(packageDir, skill), packageDir, firstParty: isFirstPartyPackage(pkg.name) });
  }
  return found;
}
