import { readFile } from "node:fs/promises";
import { join } from "node:path";

export const SKILL_KEYWORD = "worksite-skill";

export interface SkillPackageJson {
  name: string;
  version: string;
  keywords?: string[];
  worksite?: { skill?: string };
  [key: string]: unknown;
}

/** A folder's package.json, or undefined when it has none or it is not JSON. */
export async function readPackageJson(dir: string): Promise<SkillPackageJson | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as unknown;
    if (!json || typeof json !== "object") return undefined;
    const pkg = json as Record<string, unknown>;
    return { ...pkg, name: String(pkg.name ?? ""), version: String(pkg.version ?? "0.0.0") } as SkillPackageJson;
  } catch {
    return undefined;
  }
}

/** Declares a skill: keyword `worksite-skill` and `"worksite": { "skill": "./SKILL.md" }`. */
export function declaredSkillPath(pkg: SkillPackageJson | undefined): string | undefined {
  if (!pkg || !Array.isArray(pkg.keywords) || !pkg.keywords.includes(SKILL_KEYWORD)) return undefined;
  const skill = pkg.worksite?.skill;
  return typeof skill === "string" && skill.length > 0 ? skill : undefined;
}

/** The skill name a package name implies: `@worksite/skill-verify-page` → `verify-page`, `worksite-skill-x` → `x`. */
export function nameFromPackage(packageName: string): string {
  const bare = packageName.replace(/^@[^/]+\//, "");
  return bare.replace(/^worksite-skill-/, "").replace(/^skill-/, "");
}

export function isFirstPartyPackage(packageName: string): boolean {
  return packageName.startsWith("@worksite/skill-");
}
