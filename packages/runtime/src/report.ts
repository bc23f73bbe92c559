import { readFile } from "node:fs/promises";
import { type ArtifactRef, type ArtifactStore, writeFileAtomic } from "@worksite/core";
import type { AgentTurn } from "./agents/types.js";
import type { RoundDecision } from "./decide.js";
import { progressPath } from "./paths.js";
import { failedChecks, type VerificationCheck, type VerificationResult } from "./verify.js";

export interface RoundReport {
  round: number;
  run: string;
  started: string;
  finished: string;
  instruction?: string;
  steering: string[];
  turn: AgentTurn;
  verification: VerificationResult;
  decision: RoundDecision;
  changedFiles: string[];
  needsPerson: string[];
  artifacts: ArtifactRef[];
  /** Things that went wrong around the agent (memory audit findings, a skill that would not load). */
  problems: string[];
  /** THREAD.md "deliver each round" items, answered or listed as still owed. */
  deliverables: string[];
  /** Artifact paths of lists too long to show in full (see withFullLists). */
  fullLists?: Partial<Record<ReportList, string>>;
}

const bullets = (items: string[], empty = "none") =>
  items.length ? items.map((i) => `- ${i}`).join("\n") : `- ${empty}`;

/**
 * How many entries a list in a round's report shows. A round that writes 10,000 files must not
 * add 300 KB to PROGRESS.md (issue 21 item 7): past this, a list ends with a count and a link to
 * the full list, written as an artifact of the round.
 */
export const REPORT_LIST_LIMIT = 50;

/** The lists a round's report holds, each of which can be as long as a round makes it. */
export type ReportList =
  | "steering"
  | "calls"
  | "changedFiles"
  | "verification"
  | "manual"
  | "blockers"
  | "needsPerson"
  | "artifacts"
  | "deliverables";

const LIST_FILES: Record<ReportList, string> = {
  steering: "steering.md",
  calls: "calls.md",
  changedFiles: "changed-files.md",
  verification: "verification.md",
  manual: "manual-checks.md",
  blockers: "blockers.md",
  needsPerson: "needs-a-person.md",
  artifacts: "artifacts.md",
  deliverables: "deliverables.md",
};

/** Each list of the report, one line per entry, before capping. */
export function reportLists(r: RoundReport): Record<ReportList, string[]> {
  const what = (c: VerificationCheck) => (c.kind === "command" ? `\`${c.what}\`` : `artifact ${c.what}`);
  // A check that waits for approval is not a blocker: a person decides it, and then it runs.
  // The approval itself (its id, how to approve) is listed beside it with the round's other pending approvals.
  const waiting = r.verification.checks
    .filter((c) => c.waiting)
    .map((c) => `verification ${what(c)} waits for a person's approval`);
  return {
    steering: r.steering,
    calls: r.turn.calls.map((c) => `${c.tool}: ${c.status}${c.tier ? ` (${c.tier})` : ""} — ${c.message}`),
    changedFiles: r.changedFiles,
    verification: r.verification.checks.map(
      (c) =>
        `${c.passed ? "✔" : c.waiting ? "⏸" : "✘"} ${what(c)} — ${c.waiting ? "waits for a person's approval (see Needs a person)" : c.detail}${c.artifact ? ` ([output](${c.artifact}))` : ""}`,
    ),
    manual: r.verification.manual,
    blockers: [
      ...failedChecks(r.verification).map((c) => `${c.what}: ${c.detail}`),
      ...r.turn.calls
        .filter((c) => c.status === "refused" || c.status === "error")
        .map((c) => `${c.tool} ${c.status}: ${c.message}`),
      ...r.problems,
    ],
    needsPerson: [...waiting, ...r.needsPerson],
    artifacts: r.artifacts.map((a) => `[${a.path}](${a.path}) (${a.kind})`),
    deliverables: r.deliverables,
  };
}

/**
 * Writes each list longer than REPORT_LIST_LIMIT in full as an artifact of the round, and returns
 * the report with links to them, for renderRoundReport to cap the lists against.
 */
export async function withFullLists(r: RoundReport, store: Pick<ArtifactStore, "write">): Promise<RoundReport> {
  const fullLists: Partial<Record<ReportList, string>> = { ...r.fullLists };
  for (const [name, items] of Object.entries(reportLists(r)) as [ReportList, string[]][]) {
    if (items.length <= REPORT_LIST_LIMIT || fullLists[name]) continue;
    const ref = await store.write({ name: LIST_FILES[name], kind: "markdown", data: `${bullets(items)}\n` });
    fullLists[name] = ref.path;
  }
  return { ...r, fullLists };
}

/** The first REPORT_LIST_LIMIT entries, then how many more and where the full list is. */
function capped(r: RoundReport, name: ReportList, items: string[]): string[] {
  if (items.length <= REPORT_LIST_LIMIT) return items;
  const full = r.fullLists?.[name];
  const more = `… and ${items.length - REPORT_LIST_LIMIT} more (${items.length} in all${full ? `; full list: [${full}](${full})` : ""})`;
  return [...items.slice(0, REPORT_LIST_LIMIT), more];
}

function nextStep(r: RoundReport): string {
  switch (r.decision.state) {
    case "done":
      return "nothing: the goal is met. Review the evidence and the changed files.";
    case "waiting":
      return "a person approves or denies what waits (`worksite approvals`), then `worksite run` continues.";
    case "paused":
    case "blocked":
      return 'a person reads the blocker above, fixes or steers (`worksite queue "…"`), then `worksite run`.';
    case "budget-spent":
      return "raise the budget in GOAL.md or narrow the goal, then `worksite run`.";
    default:
      return "the next round continues toward the goal (`worksite run`).";
  }
}

/**
 * One round as markdown: the section appended to PROGRESS.md and the round's report artifact.
 * Long lists are capped (see withFullLists for where their full text goes).
 */
export function renderRoundReport(r: RoundReport): string {
  const lists = reportLists(r);
  const cap = (name: ReportList) => capped(r, name, lists[name]);
  const calls = cap("calls");
  return [
    // The reason starts with the state ("done: …", "waiting: …", "continuing: …").
    `## Round ${r.round} — ${r.decision.reason}`,
    "",
    `Run ${r.run}, ${r.started} → ${r.finished}.${r.instruction ? ` Instruction: ${r.instruction}` : ""}`,
    ...(r.steering.length ? ["", `Steered: ${cap("steering").join(" / ")}`] : []),
    "",
    "### Done",
    r.turn.summary || "nothing",
    ...(calls.length ? ["", bullets(calls)] : []),
    "",
    "### Changed files",
    bullets(cap("changedFiles")),
    "",
    "### Verification",
    bullets(cap("verification"), "no enforced checks"),
    ...(lists.manual.length ? ["", "Manual checks for a person:", bullets(cap("manual"))] : []),
    "",
    "### Blockers",
    bullets(cap("blockers")),
    "",
    "### Needs a person",
    bullets(cap("needsPerson")),
    "",
    "### Next step",
    nextStep(r),
    "",
    "### Artifacts",
    bullets(cap("artifacts")),
    ...(lists.deliverables.length ? ["", "### Deliverables (THREAD.md)", bullets(cap("deliverables"))] : []),
    "",
  ].join("\n");
}

export { progressPath } from "./paths.js";

/**
 * Append a round to PROGRESS.md by rewriting the whole file atomically: a
 * crash leaves the old file or the new one, never half a section. A section
 * for the same round (a redone round) is replaced rather than repeated.
 */
export async function appendProgress(root: string, round: number, section: string): Promise<void> {
  let current = "";
  try {
    current = await readFile(progressPath(root), "utf8");
  } catch {
    current = "# Progress\n\nOne section per round, written by worksite.\n\n";
  }
  const heading = new RegExp(`^## Round ${round} — .*$`, "m");
  const match = heading.exec(current);
  if (match) {
    const rest = current.slice(match.index + match[0].length);
    const next = /^## Round \d+ — /m.exec(rest);
    current = current.slice(0, match.index) + (next ? rest.slice(next.index) : "");
  }
  await writeFileAtomic(progressPath(root), `${current.replace(/\n*$/, "\n\n")}${section}`);
}

/** The report of round N (or the last) as written in PROGRESS.md. */
export async function readRoundReport(root: string, round?: number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(progressPath(root), "utf8");
  } catch {
    return undefined;
  }
  const sections = text.split(/^(?=## Round \d+ — )/m).filter((s) => s.startsWith("## Round "));
  if (round === undefined) return sections.at(-1);
  return sections.find((s) => s.startsWith(`## Round ${round} — `));
}

/** The round numbers that have a report in PROGRESS.md, in ascending order. */
export async function reportedRounds(root: string): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(progressPath(root), "utf8");
  } catch {
    return [];
  }
  const rounds = [...text.matchAll(/^## Round (\d+) — /gm)].map((m) => Number(m[1]));
  return [...new Set(rounds)].sort((a, b) => a - b);
}
