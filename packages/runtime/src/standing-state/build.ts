import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Worksite } from "@worksite/core";
import { DEFAULT_PENDING_APPROVALS, listApprovals, readArtifactIndex } from "@worksite/core/records";
import { formatDuration } from "../decide.js";
import { auditPath } from "../paths.js";
import type { ThreadState } from "../state.js";
import { type AuditFacts, auditFacts, type ThreadDecision } from "./from-audit.js";
import type { Problem } from "./problems.js";
import { auditFactsCache, type StandingFile } from "./store.js";

/** The thread's standing state: what a person (or the next round) needs without reading every round. */
export interface Standing {
  round: number;
  state: string;
  goal: string;
  stage: string;
  /** People who decided something, with how many decisions each. */
  people: [string, number][];
  hosts: [string, number][];
  apps: [string, number][];
  /** The work tree's repository (its origin, when it has one) and the memory remote. */
  repositories: string[];
  files: string[];
  decisions: ThreadDecision[];
  open: Problem[];
  /** Closed in the last rounds, so a person sees what just got fixed. */
  recentlyClosed: Problem[];
  artifacts: { kind: string; path: string; round: number }[];
  nextWake: { text: string; from: "approval" | "check" | "agent" | "manual" }[];
  stops: string[];
  /** When the thread wakes next, if a schedule says (state.json `nextWake`). */
  wakeAt?: string;
}

/** How many rounds a closed problem stays in view. */
const CLOSED_IN_VIEW = 3;

/**
 * Builds the standing state from the files a run leaves: state.json, the runtime's standing.json
 * (problems, the agent's proposed checks), the audit log (decisions: appended by the gate and the
 * person's commands, never by the agent), pending approvals and the artifact index.
 */
export async function buildStanding(
  root: string,
  worksite: Worksite,
  state: ThreadState,
  file: StandingFile,
  facts?: AuditFacts,
): Promise<Standing> {
  const known = facts ?? (await auditFacts(auditPath(root), auditFactsCache(root)));
  const problems = withPersonClosures(file.problems, known);
  const pending = (await listApprovals(root)).filter((a) => a.status === "pending");
  const people = new Map<string, number>();
  for (const d of known.decisions)
    if (d.actor.startsWith("person:")) people.set(d.actor, (people.get(d.actor) ?? 0) + 1);

  const latest = new Map<string, { kind: string; path: string; round: number }>();
  // An index that is not read (a symlink planted in its place) leaves this part empty; `worksite check` names it.
  const { artifacts } = await readArtifactIndex(root).catch(() => ({ artifacts: [] as never[] }));
  for (const a of artifacts) {
    const seen = latest.get(a.kind);
    if (!seen || a.round >= seen.round) latest.set(a.kind, { kind: a.kind, path: a.path, round: a.round });
  }

  const open = problems.filter((p) => !p.closed);
  const nextWake: Standing["nextWake"] = [
    ...pending.map((a) => ({
      from: "approval" as const,
      text: `decide ${a.id}: ${a.tool}${a.target ? ` ${a.target}` : ""} — \`worksite approve ${a.id}\` or \`worksite deny ${a.id}\``,
    })),
    ...open
      .filter((p) => p.kind === "check")
      .map((p) => ({
        from: "check" as const,
        text: `make ${p.key.slice("check:".length)} pass (${p.id}, failing since round ${p.firstRound})`,
      })),
    ...worksite.goal.verify
      .flatMap((v) => (v.kind === "manual" ? [v.text] : []))
      .map((text) => ({ from: "manual" as const, text: `a person checks: ${text}` })),
    ...file.agentNext.map((text) => ({ from: "agent" as const, text })),
  ];

  const pause = worksite.goal.pause;
  const stops = [
    `goal verified: ${verifiedWords(state)}`,
    ...(pause.repeatedFailure !== undefined
      ? [`same failure: ${state.failure?.count ?? 0} of ${pause.repeatedFailure}`]
      : []),
    ...(pause.maxRounds !== undefined ? [`rounds: ${state.round} of ${pause.maxRounds}`] : []),
    `approvals waiting: ${pending.length} of ${pause.pendingApprovals ?? DEFAULT_PENDING_APPROVALS}`,
    ...(pause.budgetMs !== undefined ? [`time budget per run: ${formatDuration(pause.budgetMs)}`] : []),
    ...pause.manual.map((m) => `a person judges: ${m.text}`),
  ];

  return {
    round: state.round,
    state: state.state,
    goal: firstLine(worksite.goal.goal),
    stage: worksite.thread.stage,
    people: [...people],
    hosts: [...known.hosts].sort((a, b) => b[1] - a[1]),
    apps: [...known.apps].sort((a, b) => b[1] - a[1]),
    repositories: [
      ...(await originOf(root)),
      ...(worksite.thread.memory?.remote ? [`memory: ${worksite.thread.memory.remote}`] : []),
    ],
    files: file.files,
    decisions: known.decisions,
    open,
    recentlyClosed: problems.filter(
      (p) => p.closed && (p.closed.round === undefined || p.closed.round > state.round - CLOSED_IN_VIEW),
    ),
    artifacts: [...latest.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
    nextWake,
    stops,
    ...(state.nextWake ? { wakeAt: state.nextWake } : {}),
  };
}

/** Problems a person closed (`worksite problem close`, recorded in the audit log) are closed, whatever a round said. */
export function withPersonClosures(problems: Problem[], facts: AuditFacts): Problem[] {
  return problems.map((p) => {
    const byPerson = facts.closedByPerson.get(p.id);
    if (p.closed || !byPerson) return p;
    return {
      ...p,
      closed: {
        how: `closed by ${byPerson.by}${byPerson.reason ? `: ${byPerson.reason}` : ""}`,
        by: byPerson.by,
        at: byPerson.at,
        audit: byPerson.seq,
      },
    };
  });
}

/** The work tree's git origin, read from .git/config (no process per round); nothing when it is no repository. */
async function originOf(root: string): Promise<string[]> {
  const config = await readFile(join(root, ".git", "config"), "utf8").catch(() => undefined);
  if (config === undefined) return [];
  const origin = /\[remote "origin"\][^[]*?\burl\s*=\s*(\S+)/.exec(config)?.[1];
  return [origin ? `work tree: ${redactCredentials(origin)}` : "work tree: a local git repository"];
}

/** https://user:token@host/… → https://host/…: a remote URL may carry a credential. */
function redactCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]+@/i, "$1");
}

function verifiedWords(state: ThreadState): string {
  if (state.state === "done") return `yes, in round ${state.round}`;
  if (state.failure) return `no — ${state.failure.summary}`;
  if (!state.round) return "not run yet";
  return `no check failed in round ${state.round}; the thread is ${state.state}, not done`;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The audit log's path as a link from PROGRESS.md (both at the worksite root). */
export function auditLink(root: string): string {
  return relative(root, auditPath(root)).split("\\").join("/");
}
