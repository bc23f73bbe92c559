import { existsSync, lstatSync, statSync } from "node:fs";
import { copyFile, cp, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { discoverSkills } from "./discovery.js";
import { INSTALL_RECORD, type InstallRecord } from "./install-record.js";
import { cloneSkillFolder, parseGitSource } from "./git-source.js";
import { loadSkill, SKILL_IGNORES } from "./load-skill.js";
import { exec, npmPack } from "./npm.js";
import { assertPackageName } from "@worksite/core";
import { declaredSkillPath, readPackageJson, type SkillPackageJson } from "./package-info.js";
import { isSkillName, safeParseSkillMarkdown } from "./skill-format.js";
import { assertSafeTarball } from "./tarball-entries.js";
import type { Skill, SkillSourceKind } from "./types.js";

export interface AddOptions {
  /** The worksite root; the skill lands in its skills/ folder. */
  worksite: string;
  /** Where a relative tarball or folder path is resolved from. */
  cwd: string;
  /** Replace a skill of the same name already in skills/. */
  force?: boolean;
  /** Where else skills are found (as discovery takes them), to say which skill the new one would shadow. */
  packageRoots?: string[];
  firstPartyDirs?: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface AddResult {
  skill: Skill;
  /** True when an existing skill of that name was replaced. */
  replaced: boolean;
}

export type SpecKind = "tarball" | "folder" | "file" | "git" | "url" | "registry";

/** What `skill add` would install, shown to a person before anything is written to the worksite. */
export interface SkillInstallPlan {
  spec: string;
  kind: SpecKind;
  name: string;
  description: string;
  /** Absent for a plain skill folder (no package.json). */
  packageName?: string;
  version?: string;
  /** Every file, relative to the skill folder. */
  files: string[];
  /** The package's lifecycle and other scripts: shown, never run. */
  scripts: Record<string, string>;
  /** SKILL.md `allowed-tools`, as written. */
  allowedTools: string[];
  /** Where it lands, absolute. */
  target: string;
  /** A skill of the same name is already in skills/ (replaced only with force). */
  replaces: boolean;
  /** Skills of the same name from packages or first-party folders that this one would hide. */
  shadows: { name: string; source: SkillSourceKind; dir: string; package?: string }[];
  notes: string[];
}

export interface PreparedSkillAdd {
  plan: SkillInstallPlan;
  /** Writes skills/<name>/ and nothing else. */
  install(): Promise<AddResult>;
  /** Removes the staging folder; call when not installing. install() disposes itself. */
  dispose(): Promise<void>;
}

/**
 * Fetches and checks a skill without running any of its code and without
 * writing to the worksite; `install()` then writes only `skills/<name>/`.
 *
 * A skill comes as people have it (issue 12): a plain Agent Skills folder (no
 * package.json), a folder in a git repository, or an npm package (folder,
 * tarball, registry name) that declares a skill.
 *
 * Why skills/ and not node_modules: skills/ is the nearest place discovery
 * looks, it needs no package manager or lockfile in the worksite, and the
 * skill becomes plain text that is reviewed and synced with the rest of the
 * worksite.
 *
 * Installing runs nothing (issue 20): every `npm pack` gets `--ignore-scripts`,
 * so a folder's prepack/prepare and a `file:` spec's scripts never run; a git
 * repository is cloned with no hooks, no submodules and no command transports.
 */
export async function prepareSkillAdd(spec: string, options: AddOptions): Promise<PreparedSkillAdd> {
  const local = resolve(options.cwd, spec);
  const git = existsSync(local) ? undefined : parseGitSource(spec, options.cwd);
  // npm would read a missing path as a package spec and fail with its own ENOENT dump; say what is wrong instead.
  if (!git && !existsSync(local) && looksLikePath(spec))
    throw new UserError(`no such file: ${spec}${local === spec ? "" : ` (looked for ${local})`}`, {
      hint: "check the path to the skill folder or .tgz; to install from the registry, name the package instead (worksite skill add name@version)",
    });
  const kind: SpecKind = git ? "git" : specKind(spec, local);
  if (kind === "registry") assertPackageName(registryName(spec), "the spec");

  const work = await mkdtemp(join(tmpdir(), "worksite-skill-add-"));
  const dispose = () => rm(work, { recursive: true, force: true });
  const env = { ...(options.env ?? process.env), npm_config_ignore_scripts: "true" };
  const execOptions = { cwd: options.cwd, env, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    const folder = git ? await cloneSkillFolder(git, join(work, "git"), execOptions) : kind === "folder" ? local : "";
    // A folder without a package.json declaring a skill is a plain Agent Skills folder: copied as it is.
    const staged =
      folder && !declaredSkillPath(await readPackageJson(folder))
        ? await stagePlainFolder(folder, spec, work)
        : await stagePackage(kind, folder || (kind === "tarball" ? local : spec), spec, work, execOptions);
    const { dir, files, pkg } = staged;
    const checked = await loadSkill(dir, { shownAs: `${spec} (SKILL.md)` });

    const skills = join(resolve(options.worksite), "skills");
    const target = join(skills, checked.name);
    // Confinement: the folder is computed from a validated name and must sit directly in skills/.
    if (!isSkillName(checked.name) || dirname(target) !== skills)
      throw new UserError(
        `refusing to install ${spec}: its skill name ${JSON.stringify(checked.name)} is not a folder name`,
      );
    if (existsSync(skills) && lstatSync(skills).isSymbolicLink())
      throw new UserError(`refusing to install into ${skills}: it is a symbolic link`, {
        hint: "make skills/ a plain folder of the worksite",
      });
    const replaces = existsSync(target);
    if (replaces && !options.force)
      throw new UserError(`skills/${checked.name} already exists`, {
        hint: "pass --force to replace it with this one",
      });

    const found = await discoverSkills({
      worksite: options.worksite,
      ...(options.packageRoots ? { packageRoots: options.packageRoots } : {}),
      ...(options.firstPartyDirs ? { firstPartyDirs: options.firstPartyDirs } : {}),
    });
    const sameName = [...found.skills, ...found.shadowed.map((s) => s.skill)].filter(
      (s) => s.name === checked.name && s.source !== "worksite",
    );
    const scripts = Object.fromEntries(
      Object.entries((pkg?.scripts as Record<string, unknown> | undefined) ?? {}).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
    const notes: string[] = [...staged.notes];
    if (kind === "git") notes.push("fetched from git as the repository holds it: no hook, submodule or script was run");
    if (Object.keys(scripts).length) notes.push("its scripts were not run and never will be by worksite");

    const plan: SkillInstallPlan = {
      spec,
      kind,
      name: checked.name,
      description: checked.description,
      ...(pkg ? { packageName: pkg.name, version: pkg.version } : {}),
      files,
      scripts,
      allowedTools: checked.frontmatter.allowedTools ?? [],
      target,
      replaces,
      shadows: sameName.map((s) => ({
        name: s.name,
        source: s.source,
        dir: s.dir,
        ...(s.package ? { package: s.package.name } : {}),
      })),
      notes,
    };
    return {
      plan,
      dispose,
      async install() {
        try {
          if (replaces) await rm(target, { recursive: true, force: true });
          await mkdir(skills, { recursive: true });
          await cp(dir, target, { recursive: true, verbatimSymlinks: true });
          const record: InstallRecord = {
            package: pkg?.name ?? "",
            version: pkg?.version ?? "",
            kind,
            installed: new Date().toISOString(),
            ...(pkg ? {} : { from: spec }),
          };
          await writeFile(join(target, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
          return { skill: await loadSkill(target, { source: "worksite" }), replaced: replaces };
        } finally {
          await dispose();
        }
      },
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

interface Staged {
  /** The staged skill folder, named as the skill is. */
  dir: string;
  files: string[];
  pkg?: SkillPackageJson;
  notes: string[];
}

/** Copies a plain skill folder (minus .git, node_modules and the like) to `work/out/<its SKILL.md name>`. */
async function stagePlainFolder(folder: string, spec: string, work: string): Promise<Staged> {
  const files = await plainFiles(folder, spec);
  if (!files.includes("SKILL.md"))
    throw new UserError(`${spec} holds no SKILL.md`, {
      hint: "a skill is a folder holding SKILL.md; for a skill inside a repository name its folder: URL#REF:skills/NAME",
    });
  const name = await skillNameIn(folder, spec);
  const dir = join(work, "stage", name);
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    await copyFile(join(folder, f), join(dir, f));
  }
  const notes =
    basename(folder) !== name && basename(folder) !== "repo"
      ? [`installed as ${name} (the name its SKILL.md gives); the folder was called ${basename(folder)}`]
      : [];
  return { dir, files, notes };
}

/** npm pack (scripts off) of a package folder or spec, or a given tarball; unpacked to `work/out/<skill name>`. */
async function stagePackage(
  kind: SpecKind,
  source: string,
  spec: string,
  work: string,
  execOptions: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<Staged> {
  const tarball = kind === "tarball" ? source : join(work, await npmPack(source, work, execOptions));
  await assertSafeTarball(tarball, spec, execOptions);
  const out = join(work, "out");
  await mkdir(out);
  await exec("tar", ["-xzf", tarball, "-C", out, "--no-same-owner", "--no-same-permissions"], execOptions);
  const pkgDir = join(out, "package");
  // A second look after unpacking: only plain files and folders, whatever tar let through.
  const files = await plainFiles(pkgDir, spec);
  const pkg = await readPackageJson(pkgDir);
  const skillPath = declaredSkillPath(pkg);
  if (!pkg || !skillPath) {
    if (files.includes("SKILL.md")) return { ...(await stagePlainFolder(pkgDir, spec, work)), pkg };
    throw new UserError(`${spec} is neither a skill folder nor a package declaring one`, {
      hint: `a skill is a folder holding SKILL.md; a package declares one with "keywords": ["worksite-skill"] and "worksite": { "skill": "./SKILL.md" }`,
    });
  }
  assertPackageName(pkg.name, `${spec}'s package.json`);
  const skillFile = resolve(pkgDir, skillPath);
  if (skillFile !== join(pkgDir, "SKILL.md"))
    throw new UserError(`${spec} declares its SKILL.md somewhere other than the package root: ${skillPath}`, {
      hint: `"worksite": { "skill": "./SKILL.md" }`,
    });
  // The folder is named as SKILL.md names the skill, so "name equals folder" holds whatever the package is called
  // (`worksite-skill-skill-x` holds the skill `skill-x`).
  const name = await skillNameIn(pkgDir, spec);
  const dir = join(out, name);
  if (dir !== pkgDir) await rename(pkgDir, dir);
  return { dir, files, pkg, notes: [] };
}

/** The name SKILL.md gives, checked before the folder is named after it; messages name what the person gave. */
async function skillNameIn(folder: string, spec: string): Promise<string> {
  const text = await readFile(join(folder, "SKILL.md"), "utf8");
  const parsed = safeParseSkillMarkdown(text, `${spec} (SKILL.md)`);
  if (!parsed.ok) throw parsed.error;
  const name = parsed.frontmatter.name;
  if (!isSkillName(name))
    throw new UserError(`refusing to install ${spec}: its skill name ${JSON.stringify(name)} is not a folder name`);
  return name;
}

/** Fetch, check and install in one go: for callers that have already shown the plan or need none (tests, scripts). */
export async function addSkill(spec: string, options: AddOptions): Promise<AddResult> {
  return (await prepareSkillAdd(spec, options)).install();
}

function specKind(spec: string, local: string): SpecKind {
  if (existsSync(local) && !/^[a-z][a-z0-9+.-]*:/i.test(spec))
    return statSync(local).isDirectory() ? "folder" : "tarball";
  if (/^file:/i.test(spec)) return "file";
  // Git forms worksite does not clone itself (gitlab:, bitbucket:, gist:) go to npm, which needs a package.json.
  if (/^(gitlab:|bitbucket:|gist:)/i.test(spec)) return "git";
  if (/^https?:/i.test(spec)) return "url";
  return "registry";
}

/** `name`, `name@1.2`, `@scope/name@^1` → the package name. */
function registryName(spec: string): string {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at > 0 ? spec.slice(0, at) : spec;
}

/**
 * A tarball name or a relative/absolute path: never a package name (npm names cannot start with "." or "/"),
 * nor a URL or other npm spec with a scheme (https:…/x.tgz, file:…), which npm fetches itself.
 */
function looksLikePath(spec: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return false;
  return /\.(tgz|tar\.gz)$/i.test(spec) || /^\.{0,2}\//.test(spec);
}

/** Every file under dir (relative, sorted), refusing anything that is not a plain file or folder. */
async function plainFiles(dir: string, spec: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (SKILL_IGNORES.has(e.name)) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const info = await lstat(join(dir, rel));
    // One push per file: a package of 200,000 files would overflow push(...files).
    if (info.isDirectory()) for (const f of await plainFiles(dir, spec, rel)) out.push(f);
    else if (info.isFile() && info.nlink === 1) out.push(rel);
    else
      throw new UserError(`refusing to install ${spec}: ${rel} is not a plain file`, {
        hint: "a skill package holds only plain files and folders",
      });
  }
  return out.sort();
}
