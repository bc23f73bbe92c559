import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type DiscoverOptions, type Discovery, discoverSkills, type Skill } from "@worksite/skills";
import type { CommandIO } from "../io.js";

/**
 * Where `worksite skill …` looks besides the worksite: node_modules above the
 * CLI's own install (so @worksite/skill-* installed next to the CLI count as
 * first-party skills), and the folders in WORKSITE_SKILLS_PATH
 * (path-delimited), for a checkout of the worksite repository's skills/.
 */
export function discoverFor(worksite: string, io: CommandIO): Promise<Discovery> {
  const options: DiscoverOptions = {
    worksite,
    relativeTo: io.cwd,
    packageRoots: [dirname(fileURLToPath(import.meta.url))],
  };
  const extra = io.env.WORKSITE_SKILLS_PATH?.split(process.platform === "win32" ? ";" : ":").filter(Boolean);
  if (extra?.length) options.firstPartyDirs = extra;
  return discoverSkills(options);
}

/** A path as the person typed paths from their cwd. */
export function shown(io: CommandIO, path: string): string {
  return relative(io.cwd, path) || ".";
}

export function skillSummary(skill: Skill, io: CommandIO) {
  return {
    name: skill.name,
    description: skill.description,
    source: skill.source,
    path: shown(io, skill.dir),
    ...(skill.package ? { package: { name: skill.package.name, version: skill.package.version } } : {}),
    steps: skill.sections.steps?.length ?? 0,
    triggers: skill.sections.triggers,
  };
}
