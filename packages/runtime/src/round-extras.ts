import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  formatFinding,
  listProposals,
  type MemoryEntry,
  memoryAtRunStart,
  openMemory,
  renderIndex,
  syncMemory,
} from "@worksite/memory";
import { discoverSkills, roundSkillContext, type Skill } from "@worksite/skills";
import type { ContextOrigin, RoundContext, Step } from "./agents/types.js";
import type { Session } from "./session.js";

export interface RoundExtras {
  memory?: string;
  memoryFromOthers?: RoundContext["memoryFromOthers"];
  skills: RoundContext["skills"];
  matchedSkills: RoundContext["matchedSkills"];
  /** Skills that failed to load, named for the report. */
  problems: string[];
  /** After the round: the agent's memory changes go in as a proposal (or straight in with autoAccept). */
  writeBack(run: string): Promise<void>;
  /** Runs whose memory proposal waits for a person's review (accept or reject), this round's included. */
  waitingProposals(): Promise<string[]>;
}

/** A skill from an installed third-party package is shown to the model as a third party's text. */
function provenance(skill: Skill): { origin: ContextOrigin; from?: string } {
  if (skill.origin !== "third-party") return { origin: "thread" };
  return {
    origin: "third-party",
    from: skill.package ? `${skill.package.name}@${skill.package.version}` : "an installed package",
  };
}

/** Where worksite itself is installed: installed skill packages are also found from there. */
const installRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Memory and skills for a round: names and descriptions of every skill, bodies and steps of the matched ones. */
export async function roundExtras(
  session: Session,
  round: { round: number; goalText: string; changedFiles: string[]; event?: string },
): Promise<RoundExtras> {
  const discovery = await discoverSkills({
    worksite: session.root,
    relativeTo: session.root,
    packageRoots: [installRoot],
  });
  const context = roundSkillContext(discovery.skills, {
    text: round.goalText,
    changedFiles: round.changedFiles,
    ...(round.event ? { event: round.event } : {}),
  });
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
    return { name: loaded.name, body: loaded.body, steps, ...provenance(skill) };
  });
  return {
    ...(memory.text ? { memory: memory.text } : {}),
    ...(memory.fromOthers?.length ? { memoryFromOthers: memory.fromOthers } : {}),
    skills: discovery.skills
      .filter((s) => context.index.listed.includes(s.name))
      .map((s) => ({ name: s.name, description: s.description, ...provenance(s) })),
    matchedSkills,
    problems: [...discovery.problems.map((p) => `${p.path}: ${p.error.message}`), ...memory.problems],
    writeBack: memory.writeBack,
    waitingProposals: memory.waitingProposals,
  };
}

/**
 * Memory at the start of a round: pull from the thread's remote, audit (the
 * findings go to the audit log; entries with secrets or past `expires` are never
 * shown), and list what the agent may read. The agent's own writes already land
 * on the run's proposal branch through memory.write; after the round, a remote
 * gets what the main line has.
 */
async function roundMemory(session: Session): Promise<{
  text?: string;
  fromOthers?: RoundExtras["memoryFromOthers"];
  problems: string[];
  writeBack: () => Promise<void>;
  waitingProposals: () => Promise<string[]>;
}> {
  const settings = session.worksite.thread.memory;
  const problems: string[] = [];
  const noWriteBack = async () => {};
  let store;
  try {
    store = await openMemory({ dir: join(session.root, settings?.path ?? "memory"), audit: session.audit });
  } catch (error) {
    return {
      problems: [`memory: ${(error as Error).message}`],
      writeBack: noWriteBack,
      waitingProposals: async () => [],
    };
  }
  const remote = settings?.remote;
  const start = await memoryAtRunStart(store, { run: session.run, actor: "runtime", ...(remote ? { remote } : {}) });
  if (start.syncError) problems.push(`memory sync (pull) failed: ${start.syncError}`);
  if (start.sync?.conflicted.length)
    problems.push(`memory: both sides edited ${start.sync.conflicted.join(", ")}; both versions are kept for review`);
  for (const f of start.report.findings) if (f.severity === "block") problems.push(`memory audit: ${formatFinding(f)}`);
  // Each entry by whose text it is (issue 20): only what a person wrote is the thread's own.
  const origins = start.origins;
  const of = (origin: string) => start.entries.filter((e) => origins.get(e.id) === origin);
  const own = of("person");
  const fromOthers: NonNullable<RoundExtras["memoryFromOthers"]> = [];
  const index = (entries: MemoryEntry[]) =>
    renderIndex(entries)
      .split("\n")
      .filter((l) => l.startsWith("- [") || l.startsWith("## ") || l.startsWith("…"))
      .join("\n");
  const agent = of("agent");
  if (agent.length)
    fromOthers.push({
      source: settings?.autoAccept
        ? "entries an agent wrote (accepted automatically: memory.autoAccept)"
        : "entries an agent proposed and a person accepted",
      text: index(agent),
    });
  const pulled = of("pulled");
  if (pulled.length)
    fromOthers.push({
      source: `entries pulled from the memory remote${remote ? ` ${remote}` : ""}`,
      text: index(pulled),
    });
  const text = own.length ? renderIndex(own) : undefined;
  return {
    ...(text ? { text } : {}),
    ...(fromOthers.length ? { fromOthers } : {}),
    problems,
    waitingProposals: async () =>
      settings?.autoAccept ? [] : (await listProposals(store).catch(() => [])).map((p) => p.run),
    writeBack: async () => {
      if (!remote || store.mode !== "own") return;
      await syncMemory(store, { url: remote }).catch((error: Error) =>
        session.log.warn(`memory sync (push) failed: ${error.message}`),
      );
    },
  };
}
