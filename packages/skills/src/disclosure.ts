import { lstat, readFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";
import { UserError } from "@worksite/core";
import { listAllSkillFiles } from "./load-skill.js";
import { type RoundSignals, triggerReasons } from "./triggers.js";
import type { Skill } from "./types.js";

/** Characters the skill index may take in a round's context, whatever the number of skills installed. */
export const DEFAULT_INDEX_BUDGET = 4000;

export interface SkillIndex {
  /** `- name: description` lines, within the budget. */
  text: string;
  listed: string[];
  /** Skills left out for lack of room; the agent can still find them with skill.list. */
  omitted: string[];
}

/**
 * Names and descriptions only: the first level of progressive disclosure.
 * Descriptions are shortened before any skill is dropped, and a dropped skill
 * is counted in a last line so the agent knows to ask.
 */
export function skillIndex(skills: Skill[], budget = DEFAULT_INDEX_BUDGET): SkillIndex {
  const trailer = (n: number) => `(+${n} more skills: call skill.list)`;
  const lines: string[] = [];
  const listed: string[] = [];
  let used = 0;
  for (let i = 0; i < skills.length; i++) {
    const skill = skills[i]!;
    const left = skills.length - i - 1;
    const reserve = left > 0 ? trailer(left).length + 1 : 0;
    const room = budget - used - reserve - (lines.length > 0 ? 1 : 0);
    const head = `- ${skill.name}: `;
    const description = skill.description.replace(/\s+/g, " ").trim();
    let line = head + description;
    if (line.length > room) {
      if (room < head.length + 20) break;
      line = `${head}${description.slice(0, room - head.length - 1)}…`;
    }
    lines.push(line);
    listed.push(skill.name);
    used += line.length + (lines.length > 1 ? 1 : 0);
  }
  const omitted = skills.slice(listed.length).map((s) => s.name);
  if (omitted.length > 0) lines.push(trailer(omitted.length));
  return { text: lines.join("\n"), listed, omitted };
}

export interface LoadedSkill {
  name: string;
  /** Why it was loaded: the trigger reasons, or `requested`. */
  reasons: string[];
  body: string;
  /** Reference files the agent may read next with skill.read. */
  references: string[];
  scripts: string[];
}

export interface RoundSkillContext {
  index: SkillIndex;
  loaded: LoadedSkill[];
}

export interface RoundSkillOptions {
  budget?: number;
  /** Skills the agent or a person asked for by name. */
  requested?: string[];
}

/** A round's skill context: every name and description, plus the bodies of the skills this round triggers or asks for. */
export function roundSkillContext(
  skills: Skill[],
  round: RoundSignals,
  options: RoundSkillOptions = {},
): RoundSkillContext {
  const requested = new Set(options.requested ?? []);
  const loaded: LoadedSkill[] = [];
  for (const skill of skills) {
    const reasons = triggerReasons(skill, round);
    if (requested.has(skill.name)) reasons.push("requested");
    if (reasons.length === 0) continue;
    loaded.push({
      name: skill.name,
      reasons,
      body: skill.body.trim(),
      references: skill.files.references,
      scripts: skill.files.scripts,
    });
  }
  return { index: skillIndex(skills, options.budget), loaded };
}

/**
 * One file of a skill (SKILL.md when `path` is absent), refusing paths that
 * leave the skill's folder and every symbolic link on the way: each part of
 * the path is lstat-ed, so `references -> ~/.config/worksite` never prints the
 * person's seal key (issue 20).
 */
export async function readSkillFile(skill: Skill, path?: string): Promise<string> {
  if (!path || path === "SKILL.md") {
    await assertPlain(skill, "SKILL.md", "SKILL.md");
    return readFile(skill.file, "utf8");
  }
  const rel = normalize(path).replace(/^(\.\/)+/, "");
  if (rel.startsWith("..") || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel))
    throw new UserError(`${path} is outside the skill ${skill.name}`, {
      hint: "name a file inside the skill folder, such as references/…",
    });
  // Every file of the folder, not only scripts/, references/ and assets/: real skills point the model at
  // FORMS.md, reference/, examples/ (issue 12). .git, node_modules and the install record are never listed.
  const known = await listAllSkillFiles(skill.dir);
  if (!known.includes(rel.split(sep).join("/")))
    throw new UserError(`skill ${skill.name} has no file ${path}`, {
      hint:
        known.length > 1 ? `its files: ${known.filter((f) => f !== "SKILL.md").join(", ")}` : "it has only SKILL.md",
    });
  await assertPlain(skill, rel, path);
  return readFile(join(skill.dir, rel), "utf8");
}

async function assertPlain(skill: Skill, rel: string, shown: string): Promise<void> {
  const parts = rel.split(sep);
  for (let i = 1; i <= parts.length; i++) {
    const info = await lstat(join(skill.dir, ...parts.slice(0, i))).catch(() => undefined);
    if (!info) throw new UserError(`skill ${skill.name} has no file ${shown}`);
    if (info.isSymbolicLink() || (i === parts.length && !info.isFile()))
      throw new UserError(`${shown} in skill ${skill.name} is not a plain file inside the skill's folder`, {
        hint: "a skill's files are read only when they are plain files in its folder, never through links",
      });
  }
}
