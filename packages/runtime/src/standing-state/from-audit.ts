import type { AuditEntry } from "@worksite/core";
import { parseLine, readLines } from "@worksite/core/records";

/** A person's (or the scheduler's) decision about the thread, as the audit log recorded it. */
export interface ThreadDecision {
  seq: number;
  /** The audit log line it is on, for a link that opens at it. */
  line: number;
  time: string;
  round?: number;
  actor: string;
  what: string;
}

/** What the audit log says about the thread beyond single rounds. */
export interface AuditFacts {
  decisions: ThreadDecision[];
  /** Hosts the rounds reached (pages, connections), with how many calls each. */
  hosts: Map<string, number>;
  /** Desktop apps the rounds acted on. */
  apps: Map<string, number>;
  /** Problems a person closed: id → the closing entry. */
  closedByPerson: Map<string, { by: string; at: string; seq: number; reason?: string }>;
}

const DECISION_TYPES = new Set(["approval", "draft", "run", "inbox", "memory", "note"]);

/** Every approve, deny, draft promotion, steer, queue, rollback, memory review and stage change — by whom, when, where in the log. */
function decisionOf(entry: AuditEntry, line: number): ThreadDecision | undefined {
  const stage = entry.data && typeof entry.data === "object" && "stage" in entry.data;
  const byPerson = entry.actor.startsWith("person:");
  if (!(byPerson && DECISION_TYPES.has(entry.type)) && !(stage && entry.type === "run")) return undefined;
  // A taken queued instruction is the person's decision only once it is taken; the runtime's own put-backs are not.
  const what = [
    entry.message ?? entry.type,
    entry.tool && !(entry.message ?? "").includes(entry.tool)
      ? `(${entry.tool}${entry.target ? ` ${entry.target}` : ""})`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  return {
    seq: entry.seq,
    line,
    time: entry.time,
    ...(entry.round !== undefined ? { round: entry.round } : {}),
    actor: entry.actor,
    what,
  };
}

function hostOf(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return url.host || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Streams the audit log once: decisions, hosts and apps touched, person closures of problems. */
export async function auditFacts(auditFile: string): Promise<AuditFacts> {
  const facts: AuditFacts = { decisions: [], hosts: new Map(), apps: new Map(), closedByPerson: new Map() };
  for await (const raw of readLines(auditFile)) {
    const parsed = parseLine(raw);
    if (!parsed.ok) continue; // `audit verify` names a bad line; the standing state still shows what it can read
    const entry = parsed.entry;
    const decision = decisionOf(entry, raw.number);
    if (decision) facts.decisions.push(decision);
    const data = (entry.data ?? {}) as Record<string, unknown>;
    if (entry.type === "note" && entry.actor.startsWith("person:") && typeof data.closeProblem === "string") {
      facts.closedByPerson.set(data.closeProblem, {
        by: entry.actor,
        at: entry.time,
        seq: entry.seq,
        ...(typeof data.reason === "string" ? { reason: data.reason } : {}),
      });
    }
    if (entry.type !== "decision" || !entry.target || !entry.tool) continue;
    const host = entry.tool === "net.connect" ? entry.target : hostOf(entry.target);
    if (host) facts.hosts.set(host, (facts.hosts.get(host) ?? 0) + 1);
    const app = /^app:(.+)$/.exec(entry.target)?.[1];
    if (app && entry.tool.startsWith("computer.")) facts.apps.set(app, (facts.apps.get(app) ?? 0) + 1);
  }
  return facts;
}
