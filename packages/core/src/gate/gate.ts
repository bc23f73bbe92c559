import type { ArtifactRef } from "../artifacts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditEvent } from "../audit/types.js";
import type { PauseConditions, PermissionsFile, ThreadFile } from "../files/types.js";
import type { Effect, Logger, Plugin, RegisteredTool, ToolContext, ToolResult } from "../plugin/types.js";
import type { Decision, Stage, Tier } from "../policy/types.js";
import { createArtifactStore, createPendingWrites } from "../artifacts/store.js";
import { DEFAULT_PENDING_APPROVALS } from "./limits.js";
import { WorksiteError } from "../errors.js";
import { inferEffect } from "../policy/infer.js";
import { createPolicy, type Policy } from "../policy/policy.js";
import { redactSecrets } from "../secrets/scan.js";
import { redactDeep } from "../secrets/redact-deep.js";
import { consumeApproval, findGrant, pendingFor, readApproval, requestApproval } from "./approvals.js";
import { approvalUsedInAudit } from "./approval-use.js";
import { hashCall } from "./call-hash.js";
import { type DraftGate, makeDraft, runDraft } from "./draft-calls.js";
import { describeInputError } from "./input-error.js";
import { blankStrings, keep, sensitivity, type Scrub } from "./sensitive-input.js";
import { silentLogger } from "./logger.js";
import { errorText, floorOf, raise } from "./tier-floor.js";
import { createRegistry } from "./registry.js";
import { decidedBy, effectWords, namesRule, ruleText, unknownToolMessage } from "./decision-words.js";
import { sandboxPolicy, withSandboxHosts, type SandboxPolicy } from "../sandbox/policy.js";
import type { ApprovalRecord, ApprovalWait, Gate, GateCall, GateOutcome } from "./types.js";
import { type CallSignal, isAborted, ownSignal } from "./call-signal.js";
import { CallContext } from "./tool-context.js";

export interface GateOptions {
  /** Absolute worksite root. */
  root: string;
  /** The loaded worksite, or just the parts the gate reads. */
  worksite: {
    permissions: PermissionsFile;
    thread?: Pick<ThreadFile, "stage"> & Partial<Pick<ThreadFile, "sandbox" | "memory" | "file">>;
    goal?: { pause: Pick<PauseConditions, "pendingApprovals"> };
  };
  plugins: Plugin[];
  audit: AuditLog;
  /** Default actor for calls: "agent", "person:<name>", "mcp:<client>", "automation". */
  actor: string;
  run: string;
  round: number;
  /** Overrides THREAD.md's stage. */
  stage?: Stage;
  log?: Logger;
  /** Defaults to redactSecrets. */
  redact?: (text: string) => string;
  /** Defaults to the policy built from `worksite.permissions`; the panel and tests may pass their own. */
  policy?: Policy;
  /** How often waitForApproval looks at the file. */
  pollMs?: number;
  /** The OS sandbox under commands; defaults to the one THREAD.md and PERMISSIONS.md describe. */
  sandbox?: SandboxPolicy;
}

/** Does this tier let a tool of this effect run without a person? */
export function permits(tier: Tier, effect: Effect): boolean {
  if (tier === "allow") return true;
  if (tier === "read-only" || tier === "draft") return effect === "read";
  return false;
}

// In a module of its own so readers of approval records (`@worksite/core/records`) need not load the gate.
export { DEFAULT_PENDING_APPROVALS } from "./limits.js";

export function createGate(options: GateOptions): Gate {
  const { root, audit, run } = options;
  // A run keeps one gate (and one browser) across its rounds; the round number moves on.
  let round = options.round;
  const log = options.log ?? silentLogger;
  const redact = options.redact ?? redactSecrets;
  // The secrets module's deep redaction also blanks values under credential-named keys (`password`, `token`).
  const redactValue = (v: unknown) => redactDeep(v, options.redact);
  const stage: Stage = options.stage ?? options.worksite.thread?.stage ?? "write";
  // THREAD.md `sandbox: hosts` become net.connect allow rules, so those connections are decided and audited like any other.
  const threadFile = options.worksite.thread?.file;
  const policy =
    options.policy ??
    createPolicy(
      withSandboxHosts(
        options.worksite.permissions,
        threadFile
          ? {
              file: threadFile,
              ...(options.worksite.thread?.sandbox ? { sandbox: options.worksite.thread.sandbox } : {}),
            }
          : undefined,
      ),
      { root, stage },
    );
  const sandbox =
    options.sandbox ??
    sandboxPolicy({
      root,
      permissions: options.worksite.permissions,
      ...(options.worksite.thread ? { thread: options.worksite.thread } : {}),
    });
  const registry = createRegistry(options.plugins, { worksite: root, log });
  /** Artifacts tools asked to write in the background (screenshots): awaited by settled() and dispose(). */
  const artifactWrites = createPendingWrites();
  const pollMs = options.pollMs ?? 100;
  const approvalCap = options.worksite.goal?.pause.pendingApprovals ?? DEFAULT_PENDING_APPROVALS;
  // The requests this run filed: counted here, so the cap costs nothing per call until it is near.
  const filed = new Set<string>();

  /** How many of this run's requests still wait; re-read only at the cap, so a person's decisions make room again. */
  async function waitingFiled(): Promise<number> {
    if (filed.size < approvalCap) return filed.size;
    for (const id of [...filed]) if ((await readApproval(root, id))?.status !== "pending") filed.delete(id);
    return filed.size;
  }

  /** An approval the audit log already records as used is never honoured again, whatever its file says. */
  const consumeOptions = (base: AuditEvent) => ({
    spent: (id: string) => approvalUsedInAudit(audit.path, id),
    onReplay: async (record: ApprovalRecord) => {
      await audit.append({
        ...base,
        type: "approval",
        outcome: "refused",
        message: `approval ${record.id} was already used (the audit log records its use); a replayed approval lets nothing run`,
        data: { approval: record.id, replayed: true },
      });
    },
  });

  const decide = (tool: RegisteredTool | undefined, id: string, target: string | undefined): Decision =>
    policy.decide({
      tool: id,
      ...(target !== undefined ? { target } : {}),
      effect: effectOf(tool, id),
      ...(tool?.targetKind ? { targetKind: tool.targetKind } : {}),
      ...(tool?.defaultTier ? { defaultTier: tool.defaultTier } : {}),
      ...(tool?.namedAllowOnly ? { namedAllowOnly: true } : {}),
    });

  async function check(toolId: string, target: string, actor = options.actor): Promise<Decision> {
    const tool = registry.get(toolId);
    const decision = decide(tool, toolId, target);
    const effect = effectOf(tool, toolId);
    const ok = permits(decision.tier, effect);
    await audit.append(
      {
        type: "navigation",
        run,
        round,
        actor,
        tool: toolId,
        target,
        tier: decision.tier,
        decision,
        decidedBy: decidedBy(decision),
        outcome: ok ? "ok" : "blocked",
      },
      { durable: effect !== "read" },
    );
    return decision;
  }

  /** `scrub` takes a sensitive call's own values out of whatever its tool writes to disk. */
  function context(
    tool: RegisteredTool,
    actor: string,
    signal: CallSignal,
    written: ArtifactRef[],
    scrub: Scrub = keep,
    approved = false,
  ): ToolContext {
    // The artifact store and the tool's logger are made when a tool first asks: most calls use neither,
    // and every call paid for both (issue 13 item 1).
    const at = round;
    return new CallContext({
      worksite: root,
      run,
      round: at,
      actor,
      signal,
      redact,
      artifacts: () =>
        createArtifactStore({
          root,
          run,
          round: at,
          redact: (text) => redact(scrub(text)),
          tool: tool.id,
          onWrite: (ref) => written.push(ref),
          pending: artifactWrites,
        }),
      log: () => log.child(tool.id),
      check: (toolId, target) => check(toolId, target, actor),
      decide: (toolId, target) => decide(registry.get(toolId), toolId, target),
      note: async (entry) => {
        await audit.append({
          type: "navigation",
          run,
          round,
          actor,
          tool: entry.tool,
          ...(entry.target !== undefined ? { target: entry.target } : {}),
          outcome: entry.outcome,
          message: redact(entry.message),
          ...(entry.data ? { data: redactDeep(entry.data, options.redact) } : {}),
        });
      },
      // A call a person approved (or granted) may write the repository's history, as `git tag` after approval must.
      sandbox: approved ? { ...sandbox, repositoryWritable: true } : sandbox,
    });
  }

  async function waitForApproval(
    id: string,
    waitOptions: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<ApprovalWait> {
    const deadline = Date.now() + (waitOptions.timeoutMs ?? Infinity);
    for (;;) {
      if (waitOptions.signal?.aborted) return { state: "aborted" };
      const record = await readApproval(root, id);
      if (!record) return { state: "missing" };
      if (record.status !== "pending") return { state: record.status, approval: record } as ApprovalWait;
      const left = deadline - Date.now();
      if (left <= 0) return { state: "timeout" };
      await sleep(Math.min(pollMs, left), waitOptions.signal);
    }
  }

  /** Run the tool and audit the outcome; a tool's failure is an outcome, never a throw. */
  async function execute(
    tool: RegisteredTool,
    input: unknown,
    actor: string,
    signal: CallSignal,
    decision: Decision,
    base: AuditEvent,
    scrub: Scrub = keep,
    /** A read call's one line: the decision entry, written after the run with its outcome. */
    oneLine = false,
  ): Promise<GateOutcome> {
    const written: ArtifactRef[] = [];
    const started = performance.now();
    // A result may reach the disk a few milliseconds late (group commit): the decision before it already did.
    // Object.assign, not a spread: on Node 20, members added after a spread cost ~1 µs each (bench/gate/PROFILE.md).
    const finish = (event: Partial<AuditEvent>) =>
      audit.append(
        Object.assign(
          {},
          base,
          { type: oneLine ? "decision" : "result", durationMs: Math.round(performance.now() - started) },
          event,
        ) as AuditEvent,
        { durable: false },
      );
    if (isAborted(signal)) {
      const entry = await finish({ outcome: "aborted", message: "stopped before it started" });
      return { status: "aborted", tool: tool.id, decision, message: "stopped before it started", auditSeq: entry.seq };
    }
    try {
      await registry.ready(tool.plugin);
      const by = base.decidedBy ?? "";
      const approved = by.startsWith("approval:") || by.startsWith("grant:");
      const result = await tool.run(input, context(tool, actor, signal, written, scrub, approved));
      const artifacts = mergeArtifacts(result.artifacts, written);
      const entry = await finish({ outcome: "ok", artifacts: artifacts.map((a) => a.path) });
      const merged: ToolResult = Object.assign({}, result, { artifacts });
      return { status: "ok", tool: tool.id, decision, result: merged, auditSeq: entry.seq };
    } catch (error) {
      const message = redact(scrub(errorText(error)));
      const aborted = isAborted(signal);
      // A tool's own check said no (a path in .worksite/, a file the rules forbid reading): that is a refusal, not a failure.
      const refused = !aborted && WorksiteError.isInstance(error) && error.code === "refused";
      const outcome = aborted ? "aborted" : refused ? "refused" : "error";
      const entry = await finish({ outcome, message, artifacts: written.map((a) => a.path) });
      if (aborted) log.debug(`${tool.id} aborted: ${message}`);
      else log.warn(`${tool.id} ${refused ? "refused" : "failed"}: ${message}`);
      return outcome === "aborted"
        ? { status: "aborted", tool: tool.id, decision, message, auditSeq: entry.seq }
        : { status: outcome, tool: tool.id, decision, message, auditSeq: entry.seq };
    }
  }

  const drafts: DraftGate = {
    root,
    run,
    round: () => round,
    audit,
    registry,
    redact,
    redactValue,
    context,
    decide,
    execute,
  };

  async function call(request: GateCall): Promise<GateOutcome> {
    const actor = request.actor ?? options.actor;
    const signal: CallSignal = request.signal ?? ownSignal();
    const tool = registry.get(request.tool);
    let scrub: Scrub = keep;
    try {
      if (!tool) {
        const message = unknownToolMessage(
          request.tool,
          registry.all().map((t) => t.id),
        );
        const entry = await audit.append({
          type: "result",
          run,
          round,
          actor,
          tool: request.tool,
          outcome: "error",
          message,
        });
        return { status: "error", tool: request.tool, message, auditSeq: entry.seq };
      }
      const parsed = tool.input.safeParse(request.input);
      if (!parsed.success) {
        const message = describeInputError(tool.id, parsed.error);
        const entry = await audit.append({
          type: "result",
          run,
          round,
          actor,
          tool: tool.id,
          outcome: "error",
          message,
        });
        return { status: "error", tool: tool.id, message, auditSeq: entry.seq };
      }
      const input: unknown = parsed.data;
      // One context for the tool's own target and floor, made only if the tool asks for either.
      let probe: ToolContext | undefined;
      const probeContext = () => (probe ??= context(tool, actor, signal, []));
      // A target read from live state (the Chrome tab a call acts on) starts the plugin's resources: its setup runs
      // first, so the gate's dispose ends them even when the call goes no further than its target.
      if (tool.target) await registry.ready(tool.plugin);
      const target = tool.target ? await tool.target(input, probeContext()) : undefined;
      const callHash = hashCall(tool.id, input, target);
      const floor = floorOf(tool.minimumTier ? await tool.minimumTier(input, probeContext()) : undefined);
      const decision = raise(decide(tool, tool.id, target), floor, tool.id);
      const sensitive = sensitivity(floor?.tier, input);
      scrub = sensitive.scrub;
      // The hash binds the live call; what is written down (audit, approval, draft) never holds a sensitive value.
      const base: AuditEvent = {
        type: "decision",
        run,
        round,
        actor,
        tool: tool.id,
        ...(target !== undefined ? { target: scrub(target) } : {}),
        callHash,
        tier: decision.tier,
        decision,
        decidedBy: decidedBy(decision),
      };
      // A call that could change something, or uses up an approval, is on disk before its tool runs; a read
      // call's decision is in the file at once and on disk within a few milliseconds (audit/README.md).
      const durable = (event: Partial<AuditEvent> = {}) => ({
        durable: tool.effect !== "read" || event.data?.consumed !== undefined,
      });
      const refuse = async (message: string): Promise<GateOutcome> => {
        const entry = await audit.append({ ...base, outcome: "refused", message }, durable());
        return { status: "refused", tool: tool.id, decision, message, auditSeq: entry.seq };
      };
      const proceed = async (event: Partial<AuditEvent> = {}) => {
        // A read call that runs without using up an approval is one line: its decision entry, written after
        // the run with the outcome. Nothing it does needs a record before it runs (issue 13 item 1).
        const oneLine = tool.effect === "read" && event.data?.consumed === undefined && event.type === undefined;
        if (!oneLine) await audit.append({ ...base, ...event }, durable(event));
        return execute(tool, input, actor, signal, decision, { ...base, ...event }, scrub, oneLine);
      };

      switch (decision.tier) {
        case "forbidden":
          // A rule's reason already says "forbidden by `rule` at PERMISSIONS.md:LINE": name the rule once.
          return refuse(
            namesRule(decision)
              ? `refused: ${decision.reason}`
              : `refused by ${ruleText(decision)}: ${decision.reason}`,
          );
        case "read-only":
          if (tool.effect !== "read")
            return refuse(
              `refused: ${tool.id} ${effectWords(tool.effect)} and this call is read-only (${ruleText(decision)}: ${decision.reason})`,
            );
          return proceed();
        case "draft":
          if (tool.effect === "read") return proceed();
          await audit.append(base);
          return makeDraft(drafts, tool, input, target, callHash, actor, signal, decision, base, sensitive);
        case "allow":
          return proceed();
        case "confirm": {
          const approval = await consumeApproval(root, callHash, consumeOptions(base));
          // `consumed` is what approvalUsedInAudit looks for: written before the tool runs, so a crash mid-call still counts as a use.
          if (approval)
            return proceed({
              decidedBy: `approval:${approval.id}`,
              data: { approvedBy: approval.approvedBy, approval: approval.id, consumed: approval.id },
            });
          const grant = await findGrant(root, tool.id, target);
          if (grant) return proceed({ decidedBy: `grant:${grant.id}`, data: { grantedBy: grant.by } });
          if (!(await pendingFor(root, callHash)) && (await waitingFiled()) >= approvalCap) {
            return refuse(
              `paused: this run already has ${approvalCap} requests waiting for a person, the most one run may file (GOAL.md \`pause: { pendingApprovals: ${approvalCap} }\` sets it); nothing more is asked until a person decides them with \`worksite approvals\` (or denies them all with \`worksite deny --run ${run}\`)`,
            );
          }
          // A sensitive call's record keeps the input's shape, not its values: the person approves the page and the field, never sees the password.
          const pending = await requestApproval(
            root,
            {
              tool: tool.id,
              input,
              ...(target !== undefined ? { target } : {}),
              callHash,
              decision,
              requestedBy: actor,
              run,
              round,
            },
            (text) => redact(scrub(text)),
            sensitive.on ? blankStrings : redactValue,
          );
          const message = `waiting for a person: ${tool.id}${target !== undefined ? ` ${redact(scrub(target))}` : ""} needs approval (${ruleText(decision)}). Approve with: worksite approve ${pending.id}   deny with: worksite deny ${pending.id}`;
          if (pending.run === run) filed.add(pending.id);
          const entry = await audit.append({ ...base, outcome: "pending", message, data: { approval: pending.id } });
          if (!request.waitForApprovalMs)
            return {
              status: "pending-approval",
              tool: tool.id,
              decision,
              approvalId: pending.id,
              message,
              auditSeq: entry.seq,
            };
          const waited = await waitForApproval(pending.id, {
            ...(request.signal ? { signal: request.signal } : {}),
            timeoutMs: request.waitForApprovalMs,
          });
          if (waited.state === "approved") {
            const used = await consumeApproval(root, callHash, { onlyId: pending.id, ...consumeOptions(base) });
            if (used)
              return proceed({
                type: "approval",
                decidedBy: `approval:${used.id}`,
                data: { approvedBy: used.approvedBy, approval: used.id, consumed: used.id },
              });
          }
          if (waited.state === "denied") {
            const reason = waited.approval.reason ? `: ${waited.approval.reason}` : "";
            const denied = await audit.append({
              ...base,
              type: "result",
              decidedBy: waited.approval.deniedBy ?? "person",
              outcome: "refused",
              message: `denied${reason}`,
              data: { approval: pending.id },
            });
            return {
              status: "refused",
              tool: tool.id,
              decision,
              message: `denied by ${waited.approval.deniedBy ?? "a person"}${reason}`,
              auditSeq: denied.seq,
            };
          }
          if (waited.state === "aborted")
            return {
              status: "aborted",
              tool: tool.id,
              decision,
              message: "stopped while waiting for approval",
              auditSeq: entry.seq,
            };
          return {
            status: "pending-approval",
            tool: tool.id,
            decision,
            approvalId: pending.id,
            message,
            auditSeq: entry.seq,
          };
        }
      }
    } catch (error) {
      const message = redact(scrub(error instanceof Error ? error.message : String(error)));
      log.error(`gate failed on ${request.tool}: ${message}`);
      // Leave a trace if the log itself still works; if it does not, nothing ran anyway.
      const entry = await audit
        .append({ type: "result", run, round, actor, tool: request.tool, outcome: "error", message })
        .catch(() => undefined);
      return entry
        ? { status: "error", tool: request.tool, message, auditSeq: entry.seq }
        : { status: "error", tool: request.tool, message };
    }
  }

  return {
    call,
    check,
    decide: (toolId: string, target: string) => decide(registry.get(toolId), toolId, target),
    waitForApproval,
    runDraft: (id, runOptions) => runDraft(drafts, id, runOptions),
    setRound: (next: number) => {
      round = next;
    },
    tools: () => registry.all(),
    warmUp: () => registry.warmUp(),
    settled: () => artifactWrites.settled(),
    async dispose() {
      // Never lose evidence: what was written in the background lands before the plugins go.
      try {
        await artifactWrites.settled();
      } finally {
        await registry.dispose();
      }
    },
  };
}

/** A tool that is not loaded (a tool checking `file.read` in a browser-only gate) is judged by its name, as the policy's explain does. */
function effectOf(tool: RegisteredTool | undefined, id: string): Effect {
  return tool?.effect ?? inferEffect(id);
}

function mergeArtifacts(returned: ArtifactRef[] | undefined, written: ArtifactRef[]): ArtifactRef[] {
  const seen = new Set<string>();
  return [...(returned ?? []), ...written].filter((a) => !seen.has(a.path) && seen.add(a.path));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
