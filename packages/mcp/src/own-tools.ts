import { createArtifactStore, listApprovals, listDrafts, redactSecrets } from "@worksite/core";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { McpSession } from "./session.js";

/** Tools the MCP server answers itself: they read or add to the worksite's own state, not the world. */
export interface OwnTool {
  name: string;
  description: string;
  input: z.ZodType;
  annotations: ToolAnnotations;
  run(input: unknown, actor: string): Promise<CallToolResult>;
}

export function ownTools(session: McpSession): OwnTool[] {
  return [
    {
      name: "thread_status",
      description: "The thread's goal, stage, run and round, approvals waiting for a person, and drafts",
      input: z.object({}),
      annotations: { title: "Thread status", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async run(_input, actor) {
        const approvals = await listApprovals(session.root, { status: "pending" });
        const drafts = (await listDrafts(session.root)).filter((d) => d.status === "open");
        const status = {
          goal: session.worksite.goal.goal,
          stage: session.worksite.thread.stage,
          run: session.run,
          round: session.round,
          openApprovals: approvals.map((a) => ({ id: a.id, tool: a.tool, target: a.target ?? null, approve: `worksite approve ${a.id}` })),
          drafts: drafts.map((d) => ({ id: d.id, tool: d.tool, summary: d.summary, artifact: d.artifact, round: d.round })),
        };
        await session.audit.append({ type: "note", actor, run: session.run, round: session.round, tool: "thread_status", outcome: "ok", message: "status read over MCP" });
        const text = [
          `goal: ${status.goal}`,
          `stage: ${status.stage} · run ${status.run} · round ${status.round}`,
          `open approvals: ${approvals.length ? status.openApprovals.map((a) => `${a.id} (${a.tool})`).join(", ") : "none"}`,
          `open drafts: ${drafts.length ? status.drafts.map((d) => `${d.id} ${d.artifact}`).join(", ") : "none"}`,
        ].join("\n");
        return { content: [{ type: "text", text }], structuredContent: status };
      },
    },
    {
      name: "report_progress",
      description: "Add a progress note (markdown) to this round's report, for the person reviewing the thread",
      input: z.object({
        note: z.string().min(1).max(20_000).describe("What was done, what is blocked, what is next — markdown"),
        title: z.string().max(200).optional().describe("One line heading for the note"),
      }),
      annotations: { title: "Report progress", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      async run(input, actor) {
        const { note, title } = (this.input as z.ZodType<{ note: string; title?: string }>).parse(input);
        const time = new Date().toISOString();
        const body = `## ${title ?? "Progress note"}\n\n_${actor}, round ${session.round}, ${time}_\n\n${note.trim()}\n`;
        // A markdown artifact of this round: listed in artifacts/index.json, redacted on write, read by the round's report.
        const store = createArtifactStore({ root: session.root, run: session.run, round: session.round, redact: redactSecrets, tool: "report_progress" });
        const { path } = await store.write({ name: `progress-${time.replace(/[:.]/g, "-")}.md`, kind: "markdown", data: body, meta: { source: "report_progress", actor } });
        await session.audit.append({
          type: "note", actor, run: session.run, round: session.round, tool: "report_progress", outcome: "ok", artifacts: [path], message: title ?? "progress note",
        });
        return { content: [{ type: "text", text: `noted in ${path}` }], structuredContent: { status: "ok", path } };
      },
    },
  ];
}
