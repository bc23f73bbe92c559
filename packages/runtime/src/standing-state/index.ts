import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Worksite } from "@worksite/core";
import { redactSecrets } from "@worksite/core/secrets";
import type { CallRecord } from "../agents/types.js";
import type { ThreadState } from "../state.js";
import type { VerificationResult } from "../verify.js";
import { auditPath } from "../paths.js";
import { auditLink, buildStanding, type Standing, withPersonClosures } from "./build.js";
import { auditFacts } from "./from-audit.js";
import { roundBlockers, trackProblems } from "./problems.js";
import { writeStandingSection } from "./progress-section.js";
import { renderStanding, standingLanguage } from "./render.js";
import { auditFactsCache, readStandingFile, writeStandingFile } from "./store.js";

export { renderStanding, standingLanguage, type StandingLanguage } from "./render.js";
export { readStandingSection } from "./progress-section.js";
export type { Standing } from "./build.js";
export type { Problem } from "./problems.js";
export { readStandingFile } from "./store.js";

/** Files the standing state remembers as changed, newest first. */
const FILES_KEPT = 200;

export interface RoundOutcome {
  round: number;
  verification: VerificationResult;
  calls: CallRecord[];
  /** Problems around the agent (memory audit findings, skills that would not load, files not checkpointed). */
  problems: string[];
  changedFiles: string[];
  /** What the agent proposed for the next wake, in its own words. */
  agentNext: string[];
}

/**
 * After a round: carries problems forward (a blocker stays open until resolved or closed by a person),
 * remembers what the agent proposed for the next wake, and rewrites PROGRESS.md's standing section.
 */
export async function recordRoundStanding(
  root: string,
  worksite: Worksite,
  state: ThreadState,
  outcome: RoundOutcome,
): Promise<Standing> {
  const file = await readStandingFile(root);
  const facts = await auditFacts(auditPath(root), auditFactsCache(root));
  // Closed by a person since the last round: a blocker seen again is then a new problem, not the closed one.
  const tracked = trackProblems(withPersonClosures(file.problems, facts), file.nextProblem, {
    round: outcome.round,
    blockers: roundBlockers(outcome.verification, outcome.calls, outcome.problems),
    passedChecks: outcome.verification.checks.filter((c) => c.passed).map((c) => c.what),
    at: new Date().toISOString(),
  });
  const files = [...new Set([...outcome.changedFiles, ...file.files])].slice(0, FILES_KEPT);
  const next = {
    problems: tracked.problems,
    nextProblem: tracked.nextId,
    agentNext: outcome.agentNext.slice(0, 10),
    files,
    round: outcome.round,
  };
  await writeStandingFile(root, next);
  const standing = await buildStanding(root, worksite, state, next, facts);
  await writeStandingSection(root, await renderFor(root, standing));
  return standing;
}

/** The standing state now: after the last round, with what happened since (approvals decided, problems a person closed). */
export async function currentStanding(root: string, worksite: Worksite, state: ThreadState): Promise<Standing> {
  return buildStanding(root, worksite, state, await readStandingFile(root));
}

/** Markdown in the thread's language, with audit links relative to the worksite root (where PROGRESS.md is). */
export async function renderFor(root: string, standing: Standing): Promise<string> {
  const read = (name: string) => readFile(join(root, name), "utf8").catch(() => "");
  const language = standingLanguage(await read("THREAD.md"), await read("GOAL.md"));
  // Problem texts quote tool output: redacted like the round's report before anyone (or PROGRESS.md) gets them.
  return redactSecrets(renderStanding(standing, { language, auditLink: auditLink(root) }));
}
