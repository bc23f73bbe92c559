import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { domainToASCII } from "node:url";

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

/**
 * The skill name a package name implies: `@worksite/skill-verify-page` → `verify-page`, `worksite-skill-x` → `x`.
 * One prefix only: `worksite-skill-skill-x` is the package of the skill `skill-x`.
 */
export function nameFromPackage(packageName: string): string {
  const bare = packageName.replace(/^@[^/]+\//, "");
  if (bare.startsWith("worksite-skill-")) return bare.slice("worksite-skill-".length);
  return bare.replace(/^skill-/, "");
}

/**
 * The package name `skill new` gives a skill: `worksite-skill-NAME`. npm names are URL-safe ASCII,
 * so a name such as `技能` goes in as its punycode (`worksite-skill-xn--…`); SKILL.md keeps the name.
 */
export function defaultPackageName(name: string): string {
  if (/^[a-z0-9-]+$/.test(name)) return `worksite-skill-${name}`;
  return `worksite-skill-${punycodeLabel(name)}`;
}

function punycodeLabel(name: string): string {
  // domainToASCII is Node's own punycode (IDNA); it returns "" for what it cannot encode.
  const ascii = domainToASCII(name);
  if (ascii && /^[a-z0-9-]+$/.test(ascii)) return ascii;
  return [...name].map((c) => c.codePointAt(0)!.toString(16)).join("-");
}

export function isFirstPartyPackage(packageName: string): boolean {
  return packageName.startsWith("@worksite/skill-");
}
