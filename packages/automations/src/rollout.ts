import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type AuditLog,
  consumeApproval,
  hashCall,
  listApprovals,
  readApproval,
  requestApproval,
  type RolloutPlan,
  type Stage,
  UserError,
  writeFileAtomic,
} from "@worksite/core";
import { z } from "zod";
import { listWakeRecords, readWakeState, writeWakeState } from "./records.js";
import { withStage } from "./stage-line.js";

/** The tool name a promotion is filed under in `worksite approvals`: no gate registers it, so no agent call can use it. */
export const PROMOTE_TOOL = "thread.promote";

const promotionInput = z.object({
  from: z.enum(["monitor", "draft", "write"]),
  to: z.enum(["monitor", "draft", "write"]),
  earnedBy: z.string(),
  stageSince: z.string(),
});
export type PromotionInput = z.infer<typeof promotionInput>;

const stageOrder: readonly Stage[] = ["monitor", "draft", "write"];

/** Wakes that ran a round in this stage without an incident, counted back from the newest. */
export async function cleanWakesSince(root: string, since: number): Promise<number> {
  let n = 0;
  for (const r of (await listWakeRecords(root)).reverse()) {
    if (Date.parse(r.startedAt) < since) break;
    if (r.incident) break;
    if (r.round !== undefined) n++;
  }
  return n;
}

/**
 * After a clean wake: when the rollout's condition for this stage is met, file the promotion as an
 * approval a person grants (never automatic). A request a person denied is not filed again until
 * the stage changes (its hash includes when the stage began).
 */
export async function proposePromotion(
  root: string,
  plan: RolloutPlan,
  stage: Stage,
  options: { now: number; audit: AuditLog },
): Promise<string | undefined> {
  const condition = plan.earn[stage];
  const to = stageOrder[stageOrder.indexOf(stage) + 1];
  if (!condition || !to) return undefined;
  const state = await readWakeState(root);
  const since = Date.parse(state?.stageSince ?? state?.since ?? new Date(options.now).toISOString());
  const clean = await cleanWakesSince(root, since);
  const byTime = condition.afterMs !== undefined && options.now - since >= condition.afterMs;
  const byWakes = condition.cleanWakes !== undefined && clean >= condition.cleanWakes;
  if (!byTime && !byWakes) return undefined;
  const input: PromotionInput = {
    from: stage,
    to,
    earnedBy: byWakes ? `${clean} clean wakes in ${stage}` : `${condition.text} in ${stage}`,
    stageSince: new Date(since).toISOString(),
  };
  const target = `stage ${stage} → ${to}`;
  const callHash = hashCall(PROMOTE_TOOL, { from: input.from, to, stageSince: input.stageSince }, target);
  const earlier = (await listApprovals(root)).filter((a) => a.callHash === callHash);
  if (earlier.some((a) => a.status !== "pending")) return undefined; // decided already: denied, or promoted
  const pending = earlier.find((a) => a.status === "pending");
  if (pending) return pending.id;
  const record = await requestApproval(
    root,
    {
      tool: PROMOTE_TOOL,
      input,
      target,
      callHash,
      decision: {
        tier: "confirm",
        reason: `THREAD.md rollout: ${condition.text} in ${stage} earns ${to}; a person promotes`,
        by: "built-in",
      },
      requestedBy: "automation",
    },
    (text) => text,
  );
  await options.audit.append({
    type: "wake",
    actor: "automation",
    tool: PROMOTE_TOOL,
    target,
    callHash,
    outcome: "pending",
    message: `proposed promotion ${stage} → ${to} (${input.earnedBy}); approve it with: worksite approve ${record.id}`,
    data: { approval: record.id, ...input },
  });
  return record.id;
}

/**
 * A person approved a promotion (`worksite approve ap_…`): uses the sealed approval once and writes
 * the new `stage:` to THREAD.md. This is the person's write, made by their CLI process: the floor
 * that keeps THREAD.md from the agent is not in the way, and the approval's seal shows who decided.
 */
export async function applyPromotion(
  root: string,
  id: string,
  options: { by: string; audit: AuditLog; now?: number },
): Promise<{ from: Stage; to: Stage }> {
  const record = await readApproval(root, id);
  if (!record || record.tool !== PROMOTE_TOOL) throw new UserError(`${id} is not a stage promotion`);
  const input = promotionInput.safeParse(record.input);
  if (!input.success) throw new UserError(`${id} does not say which stages it promotes between`);
  const { from, to } = input.data;
  const path = join(root, "THREAD.md");
  const text = await readFile(path, "utf8");
  const current = /^---\r?\n[\s\S]*?^stage\s*:\s*(\w+)/m.exec(text)?.[1] ?? "write";
  if (current !== from)
    throw new UserError(`THREAD.md says stage: ${current} now, so the promotion ${from} → ${to} is out of date`, {
      hint: "the scheduler proposes a new one when the rollout's condition is met again",
    });
  // Only a sealed approval is used: a record written into the approvals folder by anything but a person's channel is not.
  const used = await consumeApproval(root, record.callHash, { onlyId: id });
  if (!used)
    throw new UserError(`${id} is not approved by a person on this machine`, { hint: `worksite approve ${id}` });
  const next = withStage(text, to);
  if (next === undefined)
    throw new UserError("THREAD.md's frontmatter is not in a form worksite can edit", {
      hint: `set \`stage: ${to}\` by hand`,
    });
  await writeFileAtomic(path, next);
  const now = options.now ?? Date.now();
  const state = await readWakeState(root);
  if (state) await writeWakeState(root, { ...state, stage: to, stageSince: new Date(now).toISOString() });
  await options.audit.append({
    type: "approval",
    actor: options.by,
    tool: PROMOTE_TOOL,
    target: record.target ?? `stage ${from} → ${to}`,
    callHash: record.callHash,
    decidedBy: options.by,
    outcome: "ok",
    message: `promoted the thread from ${from} to ${to} (${id}): THREAD.md now says stage: ${to}`,
    data: { approval: id, from, to },
  });
  return { from, to };
}

/** An incident: the thread goes down one stage at once (write → draft → monitor), and the log says why. */
export async function demote(
  root: string,
  stage: Stage,
  why: string,
  options: { audit: AuditLog; now: number },
): Promise<Stage | undefined> {
  const to = stageOrder[stageOrder.indexOf(stage) - 1];
  if (!to) {
    await options.audit.append({
      type: "wake",
      actor: "automation",
      outcome: "blocked",
      message: `incident in stage monitor (the lowest): ${why}`,
    });
    return undefined;
  }
  const path = join(root, "THREAD.md");
  const next = withStage(await readFile(path, "utf8"), to);
  if (next === undefined) {
    await options.audit.append({
      type: "wake",
      actor: "automation",
      outcome: "error",
      message: `could not demote ${stage} → ${to} (THREAD.md's frontmatter is not editable): ${why}`,
    });
    return undefined;
  }
  await writeFileAtomic(path, next);
  const state = await readWakeState(root);
  if (state) await writeWakeState(root, { ...state, stage: to, stageSince: new Date(options.now).toISOString() });
  await options.audit.append({
    type: "wake",
    actor: "automation",
    outcome: "blocked",
    message: `demoted the thread from ${stage} to ${to}: ${why}`,
    data: { from: stage, to, why },
  });
  return to;
}
