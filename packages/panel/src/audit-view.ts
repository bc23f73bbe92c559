import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type AuditEntry, parseLine, verifyAuditFile } from "@worksite/core";

export const auditFile = (root: string) => join(root, ".worksite", "audit.jsonl");

/** The newest entries, read from the end of the log only: a long log costs no more than a short one. */
export async function recentAudit(root: string, limit: number, maxBytes = 512 * 1024): Promise<AuditEntry[]> {
  let handle;
  try {
    handle = await open(auditFile(root), "r");
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const lines = buf.toString("utf8").split("\n");
    if (start > 0) lines.shift(); // cut mid-line
    const out: AuditEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      const parsed = parseLine({ number: 0, text: lines[i]!, terminated: true });
      if (parsed.ok) out.push(parsed.entry);
    }
    return out;
  } finally {
    await handle.close();
  }
}

export interface AuditFilter {
  tool?: string;
  tier?: string;
  outcome?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  matching: number;
  page: number;
  pages: number;
}

/** One page of the log, newest first, filtered by tool (prefix), tier and outcome. */
export async function auditPage(root: string, filter: AuditFilter, page: number, perPage: number): Promise<AuditPage> {
  let text = "";
  try {
    text = await readFile(auditFile(root), "utf8");
  } catch {
    return { entries: [], total: 0, matching: 0, page: 1, pages: 1 };
  }
  const lines = text.split("\n").filter((l) => l !== "");
  const wanted = filter.tool || filter.tier || filter.outcome;
  const matching: AuditEntry[] = [];
  const from = (page - 1) * perPage;
  let count = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    // Unfiltered, only the page's own lines are parsed.
    if (!wanted) {
      if (count >= from && count < from + perPage) {
        const parsed = parseLine({ number: i + 1, text: line, terminated: true });
        if (parsed.ok) matching.push(parsed.entry);
      }
      count++;
      continue;
    }
    const parsed = parseLine({ number: i + 1, text: line, terminated: true });
    if (!parsed.ok) continue;
    const e = parsed.entry;
    if (filter.tool && !(e.tool ?? "").startsWith(filter.tool)) continue;
    if (filter.tier && (e.tier ?? e.decision?.tier) !== filter.tier) continue;
    if (filter.outcome && e.outcome !== filter.outcome) continue;
    if (count >= from && count < from + perPage) matching.push(e);
    count++;
  }
  const pages = Math.max(1, Math.ceil(count / perPage));
  return { entries: matching, total: lines.length, matching: count, page, pages };
}

const verified = new Map<string, { key: string; result: Awaited<ReturnType<typeof verifyAuditFile>> }>();

/** The chain's verify state, recomputed only when the log changed. */
export async function auditVerifyState(root: string): Promise<Awaited<ReturnType<typeof verifyAuditFile>> | undefined> {
  const path = auditFile(root);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  const key = `${info.size}:${info.mtimeMs}`;
  const cached = verified.get(path);
  if (cached?.key === key) return cached.result;
  const result = await verifyAuditFile(path);
  verified.set(path, { key, result });
  return result;
}
