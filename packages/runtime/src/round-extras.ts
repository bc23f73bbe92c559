import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatFinding, memoryAtRunStart, openMemory, syncMemory } from "@worksite/memory";
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
  const context = roundSkillContext(discovery.skills, { text: round.goalText, changedFiles: round.changedFiles, ...(round.event ? { event: round.event } : {}) });
  const memory = await roundMemory(session);
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
    ...(memory.text ? { memory: memory.text } : {}),
    skills: discovery.skills.filter((s) => context.index.listed.includes(s.name)).map((s) => ({ name: s.name, description: s.description })),
    matchedSkills,
    problems: [...discovery.problems.map((p) => `${p.path}: ${p.error.message}`), ...memory.problems],
    writeBack: memory.writeBack,
  };
}

/**
 * Memory at the start of a round: pull from the thread's remote, audit (the
 * findings go to the audit log; entries with secrets or past `expires` are never
 * shown), and list what the agent may read. The agent's own writes already land
 * on the run's proposal branch through memory.write; after the round, a remote
 * gets what the main line has.
 */
async function roundMemory(session: Session): Promise<{ text?: string; problems: string[]; writeBack: () => Promise<void> }> {
  const settings = session.worksite.thread.memory;
  const problems: string[] = [];
  const noWriteBack = async () => {};
  let store;
  try {
    store = await openMemory({ dir: join(session.root, settings?.path ?? "memory"), audit: session.audit });
  } catch (error) {
    return { problems: [`memory: ${(error as Error).message}`], writeBack: noWriteBack };
  }
  const remote = settings?.remote;
  const start = await memoryAtRunStart(store, { run: session.run, actor: "runtime", ...(remote ? { remote } : {}) });
  if (start.syncError) problems.push(`memory sync (pull) failed: ${start.syncError}`);
  if (start.sync?.conflicted.length) problems.push(`memory: both sides edited ${start.sync.conflicted.join(", ")}; both versions are kept for review`);
  problems.push(...start.report.findings.filter((f) => f.severity === "block").map((f) => `memory audit: ${formatFinding(f)}`));
  const text = start.entries.length ? start.index : undefined;
  return {
    ...(text ? { text } : {}),
    problems,
    writeBack: async () => {
      if (!remote || store.mode !== "own") return;
      await syncMemory(store, { url: remote }).catch((error: Error) => session.log.warn(`memory sync (push) failed: ${error.message}`));
    },
  };
}
