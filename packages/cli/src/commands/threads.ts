import { wakeStanding } from "@worksite/automations";
import { readdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { listApprovals, listDrafts, loadWorksite, UserError } from "@worksite/core";
import { liveLock, readState, threadStanding } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";

/** Folders that never hold a thread of their own: dependencies, runtime state, evidence, memory. */
const SKIP = new Set(["node_modules", ".git", ".worksite", "artifacts", "memory", "skills", "dist"]);
const MAX_DEPTH = 4;

export interface ThreadRow {
  path: string;
  title: string;
  pinned: boolean;
  state: string;
  round: number;
  /** What waits for a person: approvals and open drafts, in words; empty when nothing does. */
  waiting: string;
  nextWake: string;
  /** The thread's files do not parse: what is wrong, and nothing else is known. */
  error?: string;
}

export default defineCommand({
  name: "threads",
  usage: "threads [DIR] [--json]",
  summary: "list the threads under a folder: state, round, what waits for a person, next wake; pinned first",
  async run(args, io) {
    const dir = resolve(
      io.cwd,
      args.positionals[0] ?? (typeof args.options.worksite === "string" ? args.options.worksite : "."),
    );
    const roots = await findThreads(dir);
    if (!roots.length)
      throw new UserError(
        `no thread under ${relative(io.cwd, dir) || "."} (no THREAD.md within ${MAX_DEPTH} folders)`,
        {
          hint: "create one with: worksite init DIR",
        },
      );
    const rows = sortRows(await Promise.all(roots.map((root) => threadRow(root, dir))));
    if (args.options.json) {
      io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const paint = styler(io.isTTY);
    const header = ["", "thread", "state", "round", "waits for a person", "next wake"];
    const cells = rows.map((r) => [
      r.pinned ? "pinned" : "",
      `${r.path}${r.title ? ` — ${r.title}` : ""}`,
      r.error ? "cannot read" : r.state,
      r.error ? "" : String(r.round),
      r.error ? "(below)" : r.waiting || "nothing",
      r.nextWake,
    ]);
    const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
    const line = (c: string[]) =>
      c
        .map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd();
    io.stdout(`${paint("bold", line(header))}\n`);
    for (const c of cells) io.stdout(`${line(c)}\n`);
    for (const r of rows.filter((r) => r.error)) io.stdout(`${paint("red", "cannot read")} ${r.path}: ${r.error}\n`);
    return 0;
  },
});

/** Folders under `dir` (itself included) that hold a THREAD.md. */
async function findThreads(dir: string, depth = 0): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found = entries.some((e) => e.isFile() && e.name === "THREAD.md") ? [dir] : [];
  if (depth >= MAX_DEPTH) return found;
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith("."))
      .map((e) => findThreads(join(dir, e.name), depth + 1)),
  );
  return [...found, ...nested.flat()];
}

/** `from`: the folder listed; paths are relative to it, as the table is. */
async function threadRow(root: string, from: string): Promise<ThreadRow> {
  const path = relative(from, root) || ".";
  let worksite: Awaited<ReturnType<typeof loadWorksite>>;
  try {
    worksite = await loadWorksite(root);
  } catch (error) {
    const first = UserError.isUserError(error) ? error.diagnostics.find((d) => d.severity === "error") : undefined;
    const message = first
      ? `${relative(root, first.file) || first.file}:${first.line}: ${first.message}`
      : ((error as Error).message.split("\n")[0] ?? "");
    return { path, title: "", pinned: false, state: "", round: 0, waiting: "", nextWake: "", error: message };
  }
  const state = await readState(root);
  const standing = threadStanding(state, await liveLock(root));
  const approvals = (await listApprovals(root)).filter((a) => a.status === "pending").length;
  const drafts = (await listDrafts(root)).filter((d) => d.status === "open").length;
  const waiting = [
    approvals ? `${approvals} approval${approvals === 1 ? "" : "s"}` : "",
    drafts ? `${drafts} draft${drafts === 1 ? "" : "s"}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return {
    path,
    title: worksite.thread.title ?? "",
    pinned: worksite.thread.pinned === true,
    state: standing.state,
    round: standing.round,
    waiting,
    // The time a running `worksite wake` planned, when one did (issue 16).
    nextWake:
      (await wakeStanding(root, worksite)).nextWake ??
      state.nextWake ??
      (worksite.thread.wake ? `every ${worksite.thread.wake}` : "when run"),
  };
}

/** Pinned first, then threads waiting for a person, then by path. */
export function sortRows(rows: ThreadRow[]): ThreadRow[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.pinned) - Number(a.pinned) ||
      Number(Boolean(b.waiting)) - Number(Boolean(a.waiting)) ||
      a.path.localeCompare(b.path),
  );
}
