import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import {
  type Diagnostic,
  readTextWithin,
  SIZE_LIMITS,
  tooBigDiagnostic,
  tooBigMessage,
  UserError,
} from "@worksite/core";
import { INSTALL_RECORD, readInstallRecord, wasInstalled } from "./install-record.js";
import { declaredSkillPath, isFirstPartyPackage, nameFromPackage, readPackageJson } from "./package-info.js";
import { parseSections } from "./sections.js";
import { safeParseSkillMarkdown } from "./skill-format.js";
import type { Skill, SkillFiles, SkillOrigin, SkillPackageInfo, SkillSourceKind } from "./types.js";

export interface LoadSkillOptions {
  source?: SkillSourceKind;
  /** Diagnostics name SKILL.md relative to this folder (the CLI passes its cwd); absolute when absent. */
  relativeTo?: string;
  /** The package folder when the skill came from an installed package whose SKILL.md sits elsewhere. */
  packageDir?: string;
  /** How messages name SKILL.md when the folder is a staging copy (`skill add` names what the person gave). */
  shownAs?: string;
  /** The tool ids a run would have (`skill check` asks the worksite's session): steps naming a near miss get a warning. */
  knownTools?: readonly string[];
}

/** SKILL.md is read whole whenever skills are listed or a round starts; its long material belongs in references/. */
const SKILL_TOO_BIG =
  "keep SKILL.md under the limit: move long material into references/ (an agent reads those only when it needs them)";

/** Loads a skill from its folder or its SKILL.md path. Throws a UserError whose diagnostics carry SKILL.md:LINE. */
export async function loadSkill(path: string, options: LoadSkillOptions = {}): Promise<Skill> {
  const abs = resolve(path);
  const file = basename(abs) === "SKILL.md" ? abs : join(abs, "SKILL.md");
  const dir = dirname(file);
  const shown = options.shownAs ?? (options.relativeTo ? relative(options.relativeTo, file) || "SKILL.md" : file);

  // A SKILL.md that is a link could point anywhere (the person's seal key); a skill's own files are plain files.
  if ((await lstat(file).catch(() => undefined))?.isSymbolicLink())
    throw new UserError(`${shown} is a symbolic link; a skill's SKILL.md must be a plain file`, {
      hint: "replace the link with the file itself",
    });
  const got = await readTextWithin(file, SIZE_LIMITS.skill);
  if (!got.ok && got.problem === "too-big") {
    const diagnostic = tooBigDiagnostic(shown, "SKILL.md", got.size, got.limit, SKILL_TOO_BIG);
    throw new UserError(tooBigMessage(shown, got.size, got.limit), { diagnostics: [diagnostic], hint: SKILL_TOO_BIG });
  }
  if (!got.ok) {
    throw new UserError(
      `no SKILL.md in ${options.shownAs ? dirname(options.shownAs) : options.relativeTo ? relative(options.relativeTo, dir) || "." : dir}`,
      {
        hint: "a skill is a folder holding SKILL.md; create one with: worksite skill new NAME",
      },
    );
  }
  const text = got.text;

  const pkgDir = options.packageDir ?? dir;
  const pkg = await readPackageJson(pkgDir);
  const declares = declaredSkillPath(pkg) !== undefined;
  const expectedNames = [basename(dir)];
  if (pkg && declares) expectedNames.push(nameFromPackage(pkg.name));

  const parsed = safeParseSkillMarkdown(text, shown, { expectedNames });
  if (!parsed.ok) throw parsed.error;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const sections = parseSections(
    parsed.body,
    parsed.bodyLine,
    shown,
    parsed.frontmatter.metadata,
    diagnostics,
    options.knownTools,
  );

  const packageInfo: SkillPackageInfo | undefined =
    pkg && declares ? { name: pkg.name, version: pkg.version, dir: pkgDir } : undefined;
  const source = options.source ?? "worksite";
  const installed =
    source === "worksite" && wasInstalled(dir) ? ((await readInstallRecord(dir)) ?? { package: undefined }) : undefined;
  return {
    name: parsed.frontmatter.name,
    description: parsed.frontmatter.description,
    dir,
    file,
    frontmatter: parsed.frontmatter,
    body: parsed.body,
    bodyLine: parsed.bodyLine,
    sections,
    files: await listSkillFiles(dir),
    source,
    origin: skillOrigin(source, installed?.package ?? packageInfo?.name, installed !== undefined),
    ...(packageInfo ? { package: packageInfo } : {}),
    diagnostics,
  };
}

/**
 * Files under scripts/, references/ and assets/, relative to the skill folder.
 * Links are never followed, the three folders included: `references ->
 * ~/.config/worksite` lists nothing (issue 20).
 */
export async function listSkillFiles(dir: string): Promise<SkillFiles> {
  const walk = async (sub: string): Promise<string[]> => {
    try {
      if (!(await lstat(join(dir, sub))).isDirectory()) return [];
      const entries = await readdir(join(dir, sub), { withFileTypes: true });
      const nested = await Promise.all(
        entries
          .filter((e) => !e.name.startsWith("."))
          .map(async (e) => (e.isDirectory() ? walk(`${sub}/${e.name}`) : e.isFile() ? [`${sub}/${e.name}`] : [])),
      );
      return nested.flat().sort();
    } catch {
      return [];
    }
  };
  const [scripts, references, assets] = await Promise.all([walk("scripts"), walk("references"), walk("assets")]);
  return { scripts, references, assets };
}

/** Never part of a skill: version-control folders, installed dependencies, OS litter, and worksite's own install record. */
export const SKILL_IGNORES = new Set([".git", ".hg", ".svn", "node_modules", ".DS_Store", "Thumbs.db", INSTALL_RECORD]);

/**
 * Every file of a skill folder (relative, forward slashes, sorted), minus {@link SKILL_IGNORES}.
 * Links are listed as they are, never followed.
 */
export async function listAllSkillFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (SKILL_IGNORES.has(e.name)) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const f of await listAllSkillFiles(dir, rel)) out.push(f);
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Whose text a skill is. First-party skills and the worksite's own folders are
 * the thread's; an installed package (in node_modules, or put in skills/ by
 * `skill add`) is a third party's, unless it is one of worksite's own packages.
 */
function skillOrigin(source: SkillSourceKind, packageName: string | undefined, installed: boolean): SkillOrigin {
  if (source === "first-party") return "first-party";
  if (source === "package" || installed)
    return packageName && isFirstPartyPackage(packageName) ? "first-party" : "third-party";
  return "worksite";
}
