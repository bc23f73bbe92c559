import type { RegisteredTool } from "@worksite/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type CallToolResult,
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { toolAnnotations } from "./annotations.js";
import { type ApprovalActions, type CallContext, callThroughGate, gateApprovals } from "./call-tool.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import { type ToolInputSchema, toolInputSchema, unwrapArguments } from "./schemas.js";
import type { McpSession } from "./session.js";
import { buildToolNameMap } from "./tool-names.js";

export interface WorksiteMcpServerOptions {
  /** How long a confirm-tier call waits for `worksite approve` before answering "retry" (default 120 s). */
  approvalWaitMs?: number;
  /**
   * The wait for a client that sent no progress token (default 50 s): nothing resets its request timer, so the
   * call answers, approval id included, before the 60 s most clients give up after.
   */
  quietWaitMs?: number;
  /** How often a waiting call sends progress (default 5 s). */
  progressEveryMs?: number;
  /**
   * Ask a confirm-tier call's approval through MCP elicitation (default false). Turn on only when the
   * client really shows the question to a person: the client may be the agent itself, answering yes.
   * Off, such a call waits for `worksite approve`.
   */
  elicitApprovals?: boolean;
  /** Where an answer to an elicitation goes; defaults to the gate's approvals (same records as `worksite approve`). */
  approvals?: ApprovalActions;
  version?: string;
}

/**
 * Gate tools offered under another name: a memory write over MCP is a proposal a
 * person reviews, and says so; a thread report is the progress note clients know.
 */
const RENAMES: Record<string, string> = { "memory.write": "memory_propose", "thread.report": "report_progress" };
const DESCRIPTION_PREFIX: Record<string, string> = {
  "memory.write": "Propose a memory entry; it becomes a reviewable proposal, not an accepted fact. ",
};

interface GateToolEntry {
  kind: "gate";
  tool: RegisteredTool;
  schema: ToolInputSchema;
  listing: Tool;
}

/**
 * An MCP server over one worksite session. Every tool call goes through `session.gate`
 * with the client's name as actor, status and progress notes included (`thread.*`);
 * the server adds the worksite files as resources and a round-context prompt.
 *
 * The session may still be opening: the handshake needs nothing of it, so `worksite mcp` answers
 * `initialize` while the session (and the browser behind it) starts, and the first request that
 * needs the session waits for it (issue 13 item 4). A session that fails to open fails those requests.
 */
export function createWorksiteMcpServer(
  session: McpSession | Promise<McpSession>,
  options: WorksiteMcpServerOptions = {},
): McpServer {
  const mcp = new McpServer(
    { name: "worksite", title: "worksite", version: options.version ?? "0.0.0" },
    {
      capabilities: { logging: {} },
      instructions:
        "Tools here run through the worksite's permission gate (PERMISSIONS.md). A refused call names its rule: do not work around it. " +
        "Some calls wait for a person's approval or become drafts. Read the round-context prompt or thread_status first.",
    },
  );
  const server = mcp.server;
  const opened = Promise.resolve(session);
  // Not an unhandled rejection while no request has asked yet: each request that needs the session gets its error.
  opened.catch(() => undefined);
  let tools: Promise<ServedTools> | undefined;
  const served = () => (tools ??= opened.then((s) => serveGateTools(s, server, options)));

  // The low-level handlers, not McpServer.registerTool: the gate validates input with the tool's own
  // zod schema (and audits a bad call), so the SDK must not reject or reshape arguments first.
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...(await served()).byName.values()].map((e) => e.listing),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { ctx, byName, names } = await served();
    const { name, arguments: args } = request.params;
    const entry = byName.get(name);
    if (!entry) return unknownTool(ctx, name, args, [...byName.keys()], names.toMcp(name));
    return callThroughGate(ctx, entry.tool.id, unwrapArguments(entry.schema, args), extra);
  });

  registerResources(mcp, opened);
  registerPrompts(mcp, opened);
  return mcp;
}

interface ServedTools {
  ctx: CallContext;
  byName: Map<string, GateToolEntry>;
  names: ReturnType<typeof buildToolNameMap>;
}

/** The gate's tools under their MCP names, and what a call needs: made once the session is open. */
function serveGateTools(
  session: McpSession,
  server: McpServer["server"],
  options: WorksiteMcpServerOptions,
): ServedTools {
  const clientName = () => sanitizeClientName(server.getClientVersion()?.name);
  const ctx: CallContext = {
    session,
    server,
    actor: () => `mcp:${clientName()}`,
    clientName,
    elicitApprovals: options.elicitApprovals ?? false,
    approvalWaitMs: options.approvalWaitMs ?? 120_000,
    quietWaitMs: options.quietWaitMs ?? 50_000,
    progressEveryMs: options.progressEveryMs ?? 5_000,
    approvals: options.approvals ?? gateApprovals(session),
  };

  const gateTools = session.gate.tools();
  const names = buildToolNameMap(
    gateTools.map((t) => t.id),
    RENAMES,
  );
  const byName = new Map<string, GateToolEntry>();
  for (const tool of gateTools) {
    const name = names.toMcp(tool.id)!;
    const schema = toolInputSchema(tool.input);
    byName.set(name, {
      kind: "gate",
      tool,
      schema,
      listing: {
        name,
        title: tool.id,
        description: `${DESCRIPTION_PREFIX[tool.id] ?? ""}${tool.description} (worksite tool \`${tool.id}\`, effect: ${tool.effect})`,
        inputSchema: schema.json,
        annotations: toolAnnotations(tool),
      },
    });
  }
  return { ctx, byName, names };
}

/**
 * A name this server does not list: audited like any call, answered with a tool error the model can
 * read. A gate tool id under its raw name (`file.write` for `file_write`) is not run: the client
 * calls what it was offered, under the name it was offered.
 */
async function unknownTool(
  ctx: CallContext,
  name: string,
  args: unknown,
  offered: string[],
  meant: string | undefined,
): Promise<CallToolResult> {
  const hint = meant ? `did you mean ${meant}? ` : "";
  const text = `unknown tool "${name}"; ${hint}the tools here are: ${offered.join(", ") || "none"}`;
  if (meant) {
    const { session } = ctx;
    await session.audit.append({
      type: "result",
      run: session.run,
      round: session.round,
      actor: ctx.actor(),
      tool: name,
      outcome: "error",
      message: `unknown tool "${name}" over MCP (offered as ${meant}); not run`,
    });
  } else {
    // The gate audits an unknown tool and runs nothing.
    await ctx.session.gate.call({ tool: name, input: args ?? {}, actor: ctx.actor() });
  }
  return {
    isError: true,
    content: [{ type: "text", text }],
    structuredContent: { status: "error", tool: name, unknownTool: true, tools: offered },
  };
}

/** The client names itself; keep that name to something safe to put in an actor id and a log line. */
export function sanitizeClientName(name: string | undefined): string {
  const cleaned = (name ?? "")
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 64);
  return cleaned || "client";
}
