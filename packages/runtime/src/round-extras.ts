import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverSkills, roundSkillContext } from "@worksite/skills";
import type { RoundContext, Step } from "./agents/types.js";
import type { Session } from "./session.js";

export interface RoundExtras {
  memory?: string;
  skills: RoundContext["skills"];
  matchedSkills: RoundContext["matchedSkills"];
  /** Skills that failed to load, named for the report. */
  problems: string[];
  /** After the round: the agent's memory changes go in as a proposal (or straight in with autoAccept). */
  writeBack(run: string): Promise<void>;
}

/** Where worksite itself is installed: installed skill packages are also found from there. */
const installRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Memory and skills for a round: names and descriptions of every skill, bodies and steps of the matched ones. */
export async function roundExtras(session: Session, round: { round: number; goalText: string; changedFiles: string[]; event?: string }): Promise<RoundExtras> {
  const discovery = await discoverSkills({ worksite: session.root, relativeTo: session.root, packageRoots: [installRoot] });
  const context = roundSkillContext(discovery.skills, { text: round.goalText, changedFiles: round.changedFiles, event: round.event ?? "manual" });
  const byName = new Map(discovery.skills.map((s) => [s.name, s]));
  const matchedSkills = context.loaded.map((loaded) => {
    const skill = byName.get(loaded.name)!;
    const steps: Step[] = (skill.sections.steps ?? []).map((s) => ({
      tool: s.tool,
      input: s.input,
      on: "always",
      from: `skill ${skill.name}`,
      ...(s.id ? { id: s.id } : {}),
      ...(s.note ? { note: s.note } : {}),
    }));
    return { name: loaded.name, body: loaded.body, steps };
  });
  return {
    skills: discovery.skills.filter((s) => context.index.listed.includes(s.name)).map((s) => ({ name: s.name, description: s.description })),
    matchedSkills,
    problems: discovery.problems.map((p) => `${p.path}: ${p.error.message}`),
    writeBack: async () => {},
  };
}
