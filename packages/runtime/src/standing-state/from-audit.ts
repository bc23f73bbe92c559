import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { AuditEntry } from "@worksite/core";
import { writeFileAtomic } from "@worksite/core/atomic-file";
import { parseLine } from "@worksite/core/records";

/** A person's (or the scheduler's) decision about the thread, as the audit log recorded it. */
export interface ThreadDecision {
  seq: number;
  /** The audit log line it is on, for a link that opens at it. */
  line: number;
  time: string;
  round?: number;
  actor: string;
  what: string;
  /** The inbox message a steer or queue decision is about: one message is one decision, however often it is logged. */
  inbox?: string;
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
  const data = (entry.data ?? {}) as Record<string, unknown>;
  return {
    seq: entry.seq,
    line,
    time: entry.time,
    ...(entry.round !== undefined ? { round: entry.round } : {}),
    actor: entry.actor,
    what,
    ...(entry.type === "inbox" && typeof data.id === "string" ? { inbox: data.id } : {}),
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

/** What has been read of the log so far, so the next look reads only what was appended since. */
interface FactsCache {
  /** Bytes and lines read (through the last complete line), the log's mtime then, and the last entry's hash. */
  offset: number;
  lines: number;
  mtimeMs: number;
  lastHash: string;
  decisions: ThreadDecision[];
  hosts: [string, number][];
  apps: [string, number][];
  closedByPerson: [string, { by: string; at: string; seq: number; reason?: string }][];
}

const emptyFacts = (): AuditFacts => ({ decisions: [], hosts: new Map(), apps: new Map(), closedByPerson: new Map() });

/**
 * Decisions, hosts and apps touched, and person closures of problems, from the audit log. A round (and `status`)
 * reads only what was appended since the last look, from `cacheFile`; a log that shrank, was rewritten in place,
 * or whose next entry does not chain to the last one read is read again from the start.
 */
export async function auditFacts(auditFile: string, cacheFile?: string): Promise<AuditFacts> {
  const info = await stat(auditFile).catch(() => undefined);
  if (!info) return emptyFacts();
  const cache = cacheFile ? await readCache(cacheFile) : undefined;
  const usable =
    cache &&
    cache.offset <= info.size &&
    !(cache.offset === info.size && cache.mtimeMs !== info.mtimeMs) &&
    (cache.offset === 0 || (await chainsOn(auditFile, cache)));
  const from = usable ? cache : undefined;
  const facts: AuditFacts = from
    ? {
        decisions: from.decisions,
        hosts: new Map(from.hosts),
        apps: new Map(from.apps),
        closedByPerson: new Map(from.closedByPerson),
      }
    : emptyFacts();
  let offset = from?.offset ?? 0;
  let lines = from?.lines ?? 0;
  let lastHash = from?.lastHash ?? "";
  if (offset < info.size) {
    for await (const raw of linesFrom(auditFile, offset)) {
      if (!raw.terminated) break; // a line still being written: read it next time
      offset += Buffer.byteLength(raw.text) + 1;
      lines += 1;
      const parsed = parseLine({ ...raw, number: lines });
      if (!parsed.ok) continue; // `audit verify` names a bad line; the standing state still shows what it can read
      lastHash = parsed.entry.hash;
      addEntry(facts, parsed.entry, lines);
    }
  }
  if (cacheFile && offset !== from?.offset) {
    const next: FactsCache = {
      offset,
      lines,
      mtimeMs: info.mtimeMs,
      lastHash,
      decisions: facts.decisions,
      hosts: [...facts.hosts],
      apps: [...facts.apps],
      closedByPerson: [...facts.closedByPerson],
    };
    await writeFileAtomic(cacheFile, JSON.stringify(next)).catch(() => undefined);
  }
  return facts;
}

async function readCache(file: string): Promise<FactsCache | undefined> {
  try {
    const cache = JSON.parse(await readFile(file, "utf8")) as FactsCache;
    return typeof cache.offset === "number" && Array.isArray(cache.decisions) ? cache : undefined;
  } catch {
    return undefined;
  }
}

/** The cache still describes this log: the first entry after what it read chains to the last one it read. */
async function chainsOn(auditFile: string, cache: FactsCache): Promise<boolean> {
  for await (const raw of linesFrom(auditFile, cache.offset)) {
    if (!raw.terminated) return true;
    const parsed = parseLine({ ...raw, number: cache.lines + 1 });
    return parsed.ok && parsed.entry.prev === cache.lastHash;
  }
  return true;
}

/** Lines of the log from a byte offset (at the start of a line). */
async function* linesFrom(path: string, start: number): AsyncGenerator<{ text: string; terminated: boolean }> {
  let rest = "";
  for await (const chunk of createReadStream(path, { encoding: "utf8", start }) as AsyncIterable<string>) {
    rest += chunk;
    let at: number;
    while ((at = rest.indexOf("\n")) >= 0) {
      yield { text: rest.slice(0, at), terminated: true };
      rest = rest.slice(at + 1);
    }
  }
  if (rest !== "") yield { text: rest, terminated: false };
}

function addEntry(facts: AuditFacts, entry: AuditEntry, line: number): void {
  const decision = decisionOf(entry, line);
  // The panel logs a steer when it is sent, and the round again when it takes it (and a redo takes it once more):
  // the person decided once, when they sent it.
  const seen = decision?.inbox !== undefined && facts.decisions.some((d) => d.inbox === decision.inbox);
  if (decision && !seen) facts.decisions.push(decision);
  const data = (entry.data ?? {}) as Record<string, unknown>;
  if (entry.type === "note" && entry.actor.startsWith("person:") && typeof data.closeProblem === "string") {
    facts.closedByPerson.set(data.closeProblem, {
      by: entry.actor,
      at: entry.time,
      seq: entry.seq,
      ...(typeof data.reason === "string" ? { reason: data.reason } : {}),
    });
  }
  if (entry.type !== "decision" || !entry.target || !entry.tool) return;
  const host = entry.tool === "net.connect" ? entry.target : hostOf(entry.target);
  if (host) facts.hosts.set(host, (facts.hosts.get(host) ?? 0) + 1);
  const app = /^app:(.+)$/.exec(entry.target)?.[1];
  if (app && entry.tool.startsWith("computer.")) facts.apps.set(app, (facts.apps.get(app) ?? 0) + 1);
}
