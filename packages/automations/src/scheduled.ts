import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { type Diagnostic, parseFrontmatter, type Stage, wakeProblem } from "@worksite/core";
import { sendMessage } from "@worksite/runtime";
import { z } from "zod";
import { type WakeRecord, writeWakeRecord } from "./records.js";
import { withStage } from "./stage-line.js";
import { auditOf, type RoundRunner } from "./wake-thread.js";

const run = promisify(execFile);

/*
 * Issue 16 item 2: a scheduled automation is a file in the worksite's `automations/`; each run starts
 * from a clean context (a fresh thread state: round 1, no last report) and, in a git repository, in a
 * work tree of its own at HEAD (a local clone), so the person's checkout is never touched. The instruction is the
 * run's queued instruction; the result is a record in the worksite's inbox like any wake's.
 */

export interface ScheduledAutomation {
  name: string;
  file: string;
  schedule: string;
  stage?: Stage;
  /** A skill the run is for: it becomes the run's trigger event, so the skill's `on:` matches. */
  skill?: string;
  instruction: string;
}

const settings = z.strictObject({
  schedule: z
    .preprocess(
      (v) => (typeof v === "number" ? String(v) : v),
      z.string({ error: "expected a schedule such as 0 9 * * 1-5" }),
    )
    .superRefine((v, ctx) => {
      const problem = wakeProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  stage: z.enum(["monitor", "draft", "write"], { error: "expected monitor, draft or write" }).optional(),
  skill: z.string().min(1).optional(),
});

/** Every `automations/*.md`, read; a file with a mistake comes back as a diagnostic at its line. */
export async function readAutomations(
  root: string,
): Promise<{ automations: ScheduledAutomation[]; problems: Diagnostic[] }> {
  const dir = join(root, "automations");
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith(".md")).sort() : [];
  const automations: ScheduledAutomation[] = [];
  const problems: Diagnostic[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const shown = relative(root, file);
    const fm = parseFrontmatter(await readFile(file, "utf8"), shown);
    if (!fm.ok) {
      problems.push(...fm.diagnostics);
      continue;
    }
    const parsed = settings.safeParse(fm.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = fm.locate(issue.path as (string | number)[]);
        problems.push({
          file: shown,
          line: at.line,
          column: at.column,
          severity: "error",
          message: `${issue.path.join(".") || "frontmatter"}: ${issue.message}`,
          hint: "an automation file needs `schedule:` and may set `stage:` and `skill:`",
        });
      }
      continue;
    }
    const instruction = fm.body.trim();
    if (!instruction) {
      problems.push({
        file: shown,
        line: fm.bodyLine,
        column: 1,
        severity: "error",
        message: "the automation has no instruction",
        hint: "write what each run should do below the frontmatter",
      });
      continue;
    }
    automations.push({
      name: name.slice(0, -3),
      file: shown,
      schedule: parsed.data.schedule.trim(),
      ...(parsed.data.stage ? { stage: parsed.data.stage } : {}),
      ...(parsed.data.skill ? { skill: parsed.data.skill } : {}),
      instruction,
    });
  }
  return { automations, problems };
}

/** Where runs' folders go: outside the checkout, and outside the person's control folders (the sandbox must read a run's own files). */
export function automationRunsDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.WORKSITE_AUTOMATION_RUNS ??
    join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), ".cache"), "worksite", "automation-runs")
  );
}

async function gitTop(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", root, "rev-parse", "--show-toplevel"]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A fresh folder for one run: a clone at HEAD in a git repository, else a copy of the worksite files. */
async function freshWorksite(root: string, folder: string): Promise<string> {
  await mkdir(join(folder, ".."), { recursive: true });
  const top = await gitTop(root);
  if (top) {
    // A local clone at HEAD rather than `git worktree add`: isomorphic-git (memory, checkpoints) does not
    // follow a linked worktree's commondir, and a round there fails. Objects are hard-linked, so it is cheap.
    const { stdout } = await run("git", ["-C", top, "rev-parse", "HEAD"]);
    await run("git", ["clone", "--quiet", "--local", "--no-checkout", top, folder]);
    await run("git", ["-C", folder, "checkout", "--quiet", "--detach", stdout.trim()]);
    const at = join(folder, relative(top, root));
    // The worksite files as the person has them now (committed or not): the contract the run works under.
    for (const f of ["THREAD.md", "GOAL.md", "PERMISSIONS.md"])
      if (existsSync(join(root, f))) await cp(join(root, f), join(at, f));
    return at;
  }
  await mkdir(folder, { recursive: true });
  for (const f of ["THREAD.md", "GOAL.md", "PERMISSIONS.md", "skills"])
    if (existsSync(join(root, f))) await cp(join(root, f), join(folder, f), { recursive: true });
  return folder;
}

/** One run of a scheduled automation; the record goes into the worksite's own inbox. */
export async function runAutomation(
  root: string,
  automation: ScheduledAutomation,
  options: {
    scheduledFor: number;
    now: () => number;
    runRound: RoundRunner;
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
    worker?: string;
    missed?: number;
  },
): Promise<WakeRecord> {
  const startedAt = new Date(options.now()).toISOString();
  const id = `wk-${String(options.scheduledFor).padStart(14, "0")}-auto-${automation.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const worksiteKey = createHash("sha256").update(root).digest("hex").slice(0, 12);
  const folder = join(
    automationRunsDir(options.env),
    worksiteKey,
    `${automation.name}-${startedAt.replace(/[-:.]/g, "")}`,
  );
  const audit = auditOf(root);
  const base = {
    id,
    automation: automation.name,
    scheduledFor: new Date(options.scheduledFor).toISOString(),
    startedAt,
    read: false,
    archived: false,
    ...(options.worker ? { worker: options.worker } : {}),
    ...(options.missed ? { missed: options.missed } : {}),
  };
  let record: WakeRecord;
  try {
    const at = await freshWorksite(root, folder);
    if (automation.stage) {
      const text = withStage(await readFile(join(at, "THREAD.md"), "utf8"), automation.stage);
      if (text !== undefined) await writeFile(join(at, "THREAD.md"), text);
    }
    await sendMessage(at, "queue", automation.instruction, `automation:${automation.name}`);
    await audit.append({
      type: "wake",
      actor: "automation",
      message: `automation ${automation.name}: a fresh run in ${folder}`,
      data: { wake: id, folder },
    });
    const result = await options.runRound({
      root: at,
      signal: options.signal ?? new AbortController().signal,
      onEvent: () => undefined,
      ...(automation.skill ? { event: automation.skill } : {}),
    });
    record = {
      ...base,
      endedAt: new Date(options.now()).toISOString(),
      outcome: result.state === "done" ? "done" : result.state === "active" ? "continued" : "waiting for a person",
      summary: `${automation.name}: ${result.reason}`,
      round: 1,
      run: result.run,
      links: [join(at, "PROGRESS.md"), join(at, "artifacts", "round-1")],
      ...(automation.stage ? { stage: automation.stage } : {}),
    };
  } catch (error) {
    record = {
      ...base,
      endedAt: new Date(options.now()).toISOString(),
      outcome: options.signal?.aborted ? "interrupted" : "failed",
      summary: `${automation.name}: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
      links: [],
    };
  }
  if (await writeWakeRecord(root, record))
    await audit.append({
      type: "wake",
      actor: "automation",
      outcome: record.outcome === "failed" ? "error" : "ok",
      message: `automation ${automation.name} ${record.outcome}: ${record.summary}`,
      data: { wake: id },
    });
  return record;
}
