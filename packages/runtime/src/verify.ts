import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { globToRegExp, type GoalFile } from "@worksite/core";
import type { AgentTools } from "./agents/types.js";

export interface VerificationCheck {
  kind: "command" | "artifact";
  what: string;
  passed: boolean;
  detail: string;
  artifact?: string;
  refused?: boolean;
  /** Not run yet: the command waits for a person's approval. Neither passed nor failed. */
  waiting?: boolean;
}

export interface VerificationResult {
  /** Every enforced check passed (manual ones are listed for a person, not counted). */
  passed: boolean;
  /** Some check waits for a person's approval (so it neither passed nor failed). */
  waiting: boolean;
  checks: VerificationCheck[];
  manual: string[];
}

/** Checks that ran and failed (or were refused): not the ones that only wait for a person. */
export function failedChecks(result: VerificationResult): VerificationCheck[] {
  return result.checks.filter((c) => !c.passed && !c.waiting);
}

/**
 * GOAL.md's verification, through the gate like any other action: a command
 * the permissions forbid is a failed check that says why, never a bypass.
 */
export async function verifyGoal(
  goal: GoalFile,
  root: string,
  round: number,
  tools: AgentTools,
  signal: AbortSignal,
): Promise<VerificationResult> {
  const checks: VerificationResult["checks"] = [];
  const manual: string[] = [];
  for (const item of goal.verify) {
    if (signal.aborted) break;
    if (item.kind === "manual") {
      manual.push(item.text);
      continue;
    }
    if (item.kind === "command") {
      const outcome = await tools.call("shell.run", { command: item.command }, signal);
      if (outcome.status === "ok") {
        const data = outcome.result.data as
          | { exitCode?: number | null; timedOut?: boolean; output?: string }
          | undefined;
        const passed = data?.exitCode === 0 && !data.timedOut;
        checks.push({
          kind: "command",
          what: item.command,
          passed,
          detail: passed ? "exit 0" : data?.timedOut ? "timed out" : `exit ${data?.exitCode ?? "killed"}`,
          ...(data?.output ? { artifact: data.output } : {}),
        });
      } else if (outcome.status === "pending-approval") {
        checks.push({ kind: "command", what: item.command, passed: false, waiting: true, detail: outcome.message });
      } else {
        checks.push({
          kind: "command",
          what: item.command,
          passed: false,
          detail: outcome.message,
          refused: outcome.status === "refused",
        });
      }
      continue;
    }
    const found = await findFiles(root, item.glob);
    const thisRound = found.filter((f) => f.startsWith(`artifacts/round-${round}/`));
    // Evidence under artifacts/ must be this round's: an earlier round's screenshot proves nothing about these files.
    const hits = item.glob.replace(/^\.\//, "").startsWith("artifacts/")
      ? thisRound
      : thisRound.length
        ? thisRound
        : found;
    checks.push({
      kind: "artifact",
      what: item.glob,
      passed: hits.length > 0,
      detail: hits.length ? hits.slice(0, 3).join(", ") : "no file matches",
    });
  }
  return { passed: checks.every((c) => c.passed), waiting: checks.some((c) => c.waiting), checks, manual };
}

async function findFiles(root: string, glob: string): Promise<string[]> {
  const pattern = globToRegExp(glob.replace(/^\.\//, ""), { separator: "/", matchBase: true }); // `*.png` at any depth, as skill triggers match
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === "node_modules" || e.name === ".git" || e.name === ".worksite") continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else {
        const rel = relative(root, path).split("\\").join("/");
        if (pattern.test(rel)) out.push(rel);
      }
    }
  }
  await walk(root);
  return out.sort();
}

/**
 * Same failure, same signature: numbers, hex ids, paths of temp folders and
 * timings are stripped so that "exit 1 after 132 ms" and "after 140 ms" count
 * as one failure repeating.
 */
export function failureSignature(result: VerificationResult): string | undefined {
  // A check waiting for approval is not a failure: it must not count toward "the same failure N rounds in a row".
  const failed = failedChecks(result);
  if (!failed.length) return undefined;
  return (
    failed
      .map((c) => `${c.kind}:${c.what}:${c.detail}`)
      .join("|")
      .replace(/\/tmp\/[^\s:,]+/g, "<tmp>")
      .replace(/\b[0-9a-f]{7,64}\b/gi, "<hex>")
      // Exit codes stay: exit 1 and exit 2 are different failures; timings and counts are not.
      .replace(/(?<!exit )\b\d+(\.\d+)?/g, "<n>")
  );
}
