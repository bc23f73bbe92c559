import { approve, deny, ensureUntrusted, type Decision, type GateOutcome } from "@worksite/core";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { McpSession } from "./session.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How a person's answer given through the client reaches the gate's approvals. */
export interface ApprovalActions {
  approve(id: string, by: string, note: string): Promise<void>;
  deny(id: string, by: string, reason: string): Promise<void>;
}

export interface CallContext {
  session: McpSession;
  server: Server;
  /** `mcp:<client name>` */
  actor: () => string;
  /** The client's name (sanitized), for `person:mcp-elicitation:<client>` when an elicitation is answered. */
  clientName: () => string;
  /**
   * Ask confirm-tier calls through MCP elicitation. Off unless the person who starts the server says
   * the client really shows the question to a person: over MCP the agent may itself be the client.
   */
  elicitApprovals: boolean;
  /** How long a confirm-tier call waits for `worksite approve` before answering "retry". */
  approvalWaitMs: number;
  /**
   * How long to wait when the client sent no progress token: nothing can keep its request timer alive, so
   * the answer (with the approval id) must come before the usual 60 s client timeout.
   */
  quietWaitMs: number;
  /** How often a waiting call sends a progress notification (each resets a client's timer). */
  progressEveryMs: number;
  approvals: ApprovalActions;
}

/** The gate's own approvals API: the same records and audit entries as `worksite approve` / `worksite deny`. */
export function gateApprovals(session: McpSession): ApprovalActions {
  return {
    async approve(id, by, note) {
      await approve(session.root, id, { by, audit: session.audit });
      await session.audit.append({
        type: "note",
        actor: by,
        run: session.run,
        round: session.round,
        message: `${id}: ${note}`,
        data: { approval: id },
      });
    },
    async deny(id, by, reason) {
      await deny(session.root, id, { by, reason, audit: session.audit });
    },
  };
}

/** One tool call through the gate, including the wait for a person on a confirm-tier call. */
export async function callThroughGate(
  ctx: CallContext,
  tool: string,
  input: unknown,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const call = () => ctx.session.gate.call({ tool, input, actor: ctx.actor(), signal: extra.signal });
  const outcome = await call();
  if (outcome.status !== "pending-approval") return outcomeToResult(outcome);

  const id = outcome.approvalId;
  if (ctx.elicitApprovals && supportsFormElicitation(ctx.server)) {
    const answer = await askThePerson(ctx, outcome, extra);
    const by = elicitationActor(ctx.clientName());
    if (answer === "approve") {
      // If another channel decided meanwhile, approve() refuses; the call below then finds what was decided.
      await ctx.approvals
        .approve(
          id,
          by,
          `approved through MCP elicitation in the client "${ctx.clientName()}" (worksite mcp --elicit-approvals), not with \`worksite approve\``,
        )
        .catch(() => {});
      return outcomeToResult(await call());
    }
    if (answer === "deny") {
      await ctx.approvals
        .deny(
          id,
          by,
          `declined through MCP elicitation in the client "${ctx.clientName()}" (worksite mcp --elicit-approvals)`,
        )
        .catch(() => {});
      return errorResult(
        `${tool}: declined by the person in ${ctx.clientName()} (approval ${id}); the call did not run`,
        { status: "denied", approvalId: id },
      );
    }
    // The client could not ask (no UI, cancelled): fall through to the CLI's approval path.
  }

  const waiting = waitingText(id);
  // The first progress notification carries the id, so a client shows it at once, whatever happens next.
  await notify(ctx, extra, waiting, 0);
  const started = Date.now();
  const ticker = setInterval(
    () => void notify(ctx, extra, waiting, Date.now() - started).catch(() => {}),
    ctx.progressEveryMs,
  );
  const keptAlive = extra._meta?.progressToken !== undefined;
  const waitMs = keptAlive ? ctx.approvalWaitMs : Math.min(ctx.approvalWaitMs, ctx.quietWaitMs);
  const waited = await ctx.session.gate
    .waitForApproval(id, { signal: extra.signal, timeoutMs: waitMs })
    .finally(() => clearInterval(ticker));
  switch (waited.state) {
    case "approved":
      // The gate finds the approval by the call's hash and uses it exactly once.
      return outcomeToResult(await call());
    case "denied": {
      const reason = waited.approval.reason ? `: ${waited.approval.reason}` : "";
      return errorResult(
        `${tool}: denied by ${waited.approval.deniedBy ?? "a person"}${reason} (approval ${id}); the call did not run`,
        { status: "denied", approvalId: id },
      );
    }
    case "consumed":
      return errorResult(`${tool}: approval ${id} was already used by another identical call; call again to ask anew`, {
        status: "consumed",
        approvalId: id,
        retryable: true,
      });
    case "aborted":
      return errorResult(`${tool}: cancelled while waiting for approval ${id}`, { status: "aborted", approvalId: id });
    case "missing":
    case "timeout":
      return errorResult(
        `${waiting}\nNot approved within ${Math.round(waitMs / 1000)} s${keptAlive ? "" : " (the client sent no progress token, so the call answers before a client's usual 60 s timeout)"}. Once a person has approved it, call ${tool} again with the same input.`,
        { status: "pending-approval", approvalId: id, retryable: true },
      );
  }
}

/**
 * Who answered an elicitation, as the approvals record it. The client names itself, so the actor
 * says which channel it came through and can never read as a local `worksite approve` by that name.
 */
export function elicitationActor(clientName: string): string {
  return `person:mcp-elicitation:${clientName}`;
}

export function waitingText(id: string): string {
  return `waiting for approval ${id} — approve with \`worksite approve ${id}\``;
}

/** A tool that returns a picture (computer.screenshot: `data.image` base64 with `data.mimeType`) shows it to the client's model. */
function imageOf(data: unknown): { type: "image"; data: string; mimeType: string } | undefined {
  if (!data || typeof data !== "object") return undefined;
  const { image, mimeType } = data as { image?: unknown; mimeType?: unknown };
  if (typeof image !== "string" || typeof mimeType !== "string" || !/^image\/(png|jpeg|webp)$/.test(mimeType))
    return undefined;
  return { type: "image", data: image, mimeType };
}

/** The gate's outcome as MCP's tool result. Refusals and failures are tool errors the model can read. */
export function outcomeToResult(outcome: GateOutcome): CallToolResult {
  switch (outcome.status) {
    case "ok": {
      const artifacts = outcome.result.artifacts?.map((a) => a.path) ?? [];
      // Every tool result is data from outside the thread (issue 20): the client's model reads it enveloped, as ours does.
      const content = ensureUntrusted(outcome.result.content, `result of ${outcome.tool}`);
      const text = artifacts.length ? `${content}\n\nartifacts: ${artifacts.join(", ")}` : content;
      const image = imageOf(outcome.result.data);
      // A picture the tool returned inline (a screenshot asked for with `inline`): what MCP clients show.
      const images = (outcome.result.images ?? []).map((i) => ({
        type: "image" as const,
        data: i.data,
        mimeType: i.mimeType,
      }));
      return {
        content: [{ type: "text", text }, ...(image ? [image] : []), ...images],
        structuredContent: {
          status: "ok",
          tool: outcome.tool,
          tier: outcome.decision.tier,
          data: outcome.result.data ?? null,
          artifacts,
        },
      };
    }
    case "refused":
      return errorResult(
        `${outcome.tool}: ${namesItsRule(outcome.message, outcome.decision) ? outcome.message : `refused by ${ruleName(outcome.decision)} — ${outcome.message}`}`,
        {
          status: "refused",
          tier: outcome.decision.tier,
          rule: outcome.decision.rule ?? null,
        },
      );
    case "drafted":
      return {
        content: [{ type: "text", text: `${outcome.tool}: ${outcome.message}\ndraft: ${outcome.draft.path}` }],
        structuredContent: {
          status: "drafted",
          tool: outcome.tool,
          draft: outcome.draft.path,
          draftId: outcome.draftId,
          rule: outcome.decision.rule ?? null,
        },
      };
    case "pending-approval":
      return errorResult(waitingText(outcome.approvalId), {
        status: "pending-approval",
        approvalId: outcome.approvalId,
        retryable: true,
      });
    case "aborted":
      return errorResult(`${outcome.tool}: aborted — ${outcome.message}`, { status: "aborted" });
    case "error":
      return errorResult(`${outcome.tool}: failed — ${outcome.message}`, { status: "error" });
  }
}

function namesItsRule(message: string, decision: Decision): boolean {
  return decision.rule ? message.includes(`:${decision.rule.line}`) : true;
}

/** "PERMISSIONS.md:12 (`shell.run(rm -rf)`)", or the default when no rule decided. */
export function ruleName(decision: Decision): string {
  if (!decision.rule) return `the default tier (${decision.tier}): ${decision.reason}`;
  const file = decision.rule.file.split(/[\\/]/).pop() ?? decision.rule.file;
  return `${file}:${decision.rule.line} (\`${decision.rule.text}\`)`;
}

function errorResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: "text", text }], structuredContent: structured };
}

function supportsFormElicitation(server: Server): boolean {
  const elicitation = server.getClientCapabilities()?.elicitation as Record<string, unknown> | undefined;
  if (!elicitation) return false;
  // An empty object declares form mode (2025-06-18); later clients may list modes.
  return Object.keys(elicitation).length === 0 || "form" in elicitation;
}

async function askThePerson(
  ctx: CallContext,
  outcome: Extract<GateOutcome, { status: "pending-approval" }>,
  extra: ToolExtra,
) {
  const message = [
    `worksite asks: allow this call of ${outcome.tool}?`,
    outcome.message,
    `Why it needs you: ${outcome.decision.reason}${outcome.decision.rule ? ` (${ruleName(outcome.decision)})` : ""}`,
    `Approval ${outcome.approvalId} — approving lets exactly this call run once.`,
  ].join("\n");
  try {
    const answer = await ctx.server.elicitInput(
      {
        mode: "form",
        message,
        requestedSchema: {
          type: "object",
          properties: {
            approve: {
              type: "boolean",
              title: "Approve this call",
              description: "Let exactly this call run once",
              default: false,
            },
          },
          required: ["approve"],
        },
      },
      { relatedRequestId: extra.requestId, signal: extra.signal, timeout: ctx.approvalWaitMs },
    );
    if (answer.action === "accept") return answer.content?.approve === true ? "approve" : "deny";
    if (answer.action === "decline") return "deny";
    return "unanswered";
  } catch {
    return "unanswered";
  }
}

async function notify(ctx: CallContext, extra: ToolExtra, text: string, elapsedMs: number): Promise<void> {
  // Progress keeps a client's request timer alive (resetTimeoutOnProgress); the log line shows the id.
  const token = extra._meta?.progressToken;
  if (token !== undefined) {
    const waited = elapsedMs ? ` (${Math.round(elapsedMs / 1000)} s so far)` : "";
    await extra.sendNotification({
      method: "notifications/progress",
      // progress must grow with each notification (the spec): the milliseconds waited do.
      params: { progressToken: token, progress: elapsedMs, total: ctx.approvalWaitMs, message: `${text}${waited}` },
    });
  }
  if (elapsedMs === 0) {
    // Sent on the request's own stream so an HTTP client sees it beside the call.
    await extra
      .sendNotification({
        method: "notifications/message",
        params: { level: "notice", logger: "worksite", data: text },
      })
      .catch(() => {});
  }
}
