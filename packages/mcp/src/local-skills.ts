import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface SkillEntry {
  name: string;
  /** Relative to the worksite root. */
  path: string;
  description?: string;
}

/** Local skills: `skills/<name>/SKILL.md`. */
export async function listLocalSkills(root: string): Promise<SkillEntry[]> {
  let names: string[];
  try {
    names = (await readdir(join(root, "skills"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const skills: SkillEntry[] = [];
  for (const name of names.sort()) {
    const path = `skills/${name}/SKILL.md`;
    try {
      const text = await readFile(join(root, path), "utf8");
      const description = /^description:\s*(.+)$/m.exec(text)?.[1]?.trim().replace(/^["']|["']$/g, "");
      skills.push({ name, path, ...(description ? { description } : {}) });
    } catch {
      // A folder without SKILL.md is not a skill.
    }
  }
  return skills;
}
