import type { ArtifactRef } from "../artifacts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditEvent } from "../audit/types.js";
import type { DraftOutput, RegisteredTool, ToolContext } from "../plugin/types.js";
import type { Decision } from "../policy/types.js";
import { canonicalJson, hashCall, newId } from "./call-hash.js";
import { ruleText } from "./decision-words.js";
import { claimDraft, finishDraft, readDraft, writeDraftRecord } from "./drafts.js";
import { describeInputError } from "./input-error.js";
import type { ToolRegistry } from "./registry.js";
import { blankStrings, type Scrub, type Sensitivity, sensitivity } from "./sensitive-input.js";
import { errorText, floorOf, raise } from "./tier-floor.js";
import type { DraftRecord, GateOutcome } from "./types.js";
import type { CallSignal } from "./call-signal.js";

/*
 * The draft tier's two halves: a drafted call is written down and never sent; a person's
 * `worksite approve <draft>` runs it later, decided again as it is then, through the gate's own execute.
 */

/** What the drafts need of the gate they belong to. */
export interface DraftGate {
  root: string;
  run: string;
  round: () => number;
  audit: AuditLog;
  registry: ToolRegistry;
  redact: (text: string) => string;
  redactValue: (value: unknown) => unknown;
  context: (
    tool: RegisteredTool,
    actor: string,
    signal: CallSignal,
    written: ArtifactRef[],
    scrub?: Scrub,
  ) => ToolContext;
  decide: (tool: RegisteredTool | undefined, id: string, target: string | undefined) => Decision;
  execute: (
    tool: RegisteredTool,
    input: unknown,
    actor: string,
    signal: CallSignal,
    decision: Decision,
    base: AuditEvent,
    scrub: Scrub,
  ) => Promise<GateOutcome>;
}

export async function makeDraft(
  gate: DraftGate,
  tool: RegisteredTool,
  input: unknown,
  target: string | undefined,
  callHash: string,
  actor: string,
  signal: CallSignal,
  decision: Decision,
  base: AuditEvent,
  sensitive: Sensitivity,
): Promise<GateOutcome> {
  const { root, run, audit, redact, redactValue, context } = gate;
  const round = gate.round();
  const id = newId("dr");
  const written: ArtifactRef[] = [];
  const { scrub } = sensitive;
  const ctx = context(tool, actor, signal, written, scrub);
  let draft: DraftOutput;
  try {
    draft = tool.draft
      ? await tool.draft(input, ctx)
      : {
          summary: `would call ${tool.id}${target !== undefined ? ` on ${target}` : ""}`,
          body: JSON.stringify(sensitive.on ? blankStrings(input) : input, null, 2),
        };
  } catch (error) {
    const message = redact(scrub(errorText(error)));
    const entry = await audit.append({ ...base, type: "draft", outcome: "error", message });
    return { status: "error", tool: tool.id, decision, message: `drafting failed: ${message}`, auditSeq: entry.seq };
  }
  const created = new Date().toISOString();
  const stored = sensitive.on ? blankStrings(input) : redactValue(input);
  // The artifact store's redact also scrubs a sensitive call's values out of the tool's own summary and body.
  const ref = await ctx.artifacts.write({
    name: `${id}-${tool.id}.json`,
    kind: "draft",
    data: JSON.stringify(
      {
        id,
        tool: tool.id,
        input: stored,
        target,
        callHash,
        decision,
        actor,
        run,
        round,
        created,
        draft,
        approve: `worksite approve ${id}`,
      },
      null,
      2,
    ),
    meta: { draftId: id, summary: draft.summary, ...(draft.kind ? { bodyKind: draft.kind } : {}) },
  });
  const record: DraftRecord = {
    id,
    tool: tool.id,
    input: stored,
    inputRedacted: sensitive.on || canonicalJson(stored) !== canonicalJson(input),
    ...(target !== undefined ? { target: redact(scrub(target)) } : {}),
    callHash,
    decision,
    summary: redact(scrub(draft.summary)),
    artifact: ref.path,
    actor,
    run,
    round,
    created,
    status: "open",
  };
  await writeDraftRecord(root, record);
  const message = `drafted, nothing was sent: ${record.summary} (see ${ref.path}; a person runs it with: worksite approve ${id})`;
  const entry = await audit.append({
    ...base,
    type: "draft",
    outcome: "drafted",
    artifacts: [ref.path, ...written.filter((w) => w.path !== ref.path).map((w) => w.path)],
    message,
    data: { draftId: id },
  });
  return { status: "drafted", tool: tool.id, decision, draft: ref, draftId: id, message, auditSeq: entry.seq };
}

export async function runDraft(
  gate: DraftGate,
  id: string,
  runOptions: { by: string; signal?: AbortSignal },
): Promise<GateOutcome> {
  const { root, run, audit, registry, context, decide, execute } = gate;
  const round = gate.round();
  const record = await readDraft(root, id);
  if (!record) return { status: "error", tool: "?", message: `no draft ${id} (list them with: worksite drafts)` };
  if (record.status !== "open")
    return { status: "error", tool: record.tool, message: `draft ${id} was already ${record.status}` };
  if (record.inputRedacted)
    return {
      status: "error",
      tool: record.tool,
      message: `draft ${id} held a secret that was redacted before it was stored, so it cannot be replayed; make the call again`,
    };
  const tool = registry.get(record.tool);
  if (!tool)
    return {
      status: "error",
      tool: record.tool,
      message: `draft ${id} needs tool ${record.tool}, which is not loaded`,
    };
  const parsed = tool.input.safeParse(record.input);
  if (!parsed.success) return { status: "error", tool: tool.id, message: describeInputError(tool.id, parsed.error) };
  const signal = runOptions.signal ?? new AbortController().signal;
  const target = tool.target ? await tool.target(parsed.data, context(tool, runOptions.by, signal, [])) : undefined;
  const callHash = hashCall(tool.id, parsed.data, target);
  const floor = floorOf(
    tool.minimumTier ? await tool.minimumTier(parsed.data, context(tool, runOptions.by, signal, [])) : undefined,
  );
  const decision = raise(decide(tool, tool.id, target), floor, tool.id);
  const { scrub } = sensitivity(floor?.tier, parsed.data);
  const base: AuditEvent = {
    type: "decision",
    run,
    round,
    actor: runOptions.by,
    tool: tool.id,
    ...(target !== undefined ? { target: scrub(target) } : {}),
    callHash,
    tier: decision.tier,
    decision,
    decidedBy: runOptions.by,
    data: { draftId: id },
  };
  if (callHash !== record.callHash) {
    const entry = await audit.append({
      ...base,
      outcome: "refused",
      message: `draft ${id} no longer matches the call it was made from`,
    });
    return {
      status: "refused",
      tool: tool.id,
      decision,
      message: `draft ${id} was changed after it was made (its call no longer matches); nothing ran`,
      auditSeq: entry.seq,
    };
  }
  if (decision.tier === "forbidden") {
    const entry = await audit.append({ ...base, outcome: "refused", message: `refused by ${ruleText(decision)}` });
    return {
      status: "refused",
      tool: tool.id,
      decision,
      message: `refused by ${ruleText(decision)}: a person's approval does not lift forbidden`,
      auditSeq: entry.seq,
    };
  }
  if (!(await claimDraft(root, id)))
    return { status: "error", tool: tool.id, message: `draft ${id} was already executed or discarded` };
  await audit.append(base);
  const outcome = await execute(tool, parsed.data, runOptions.by, signal, decision, base, scrub);
  await finishDraft(root, {
    ...record,
    status: "executed",
    executedBy: runOptions.by,
    executedAt: new Date().toISOString(),
    outcome: outcome.status,
  });
  return outcome;
}
