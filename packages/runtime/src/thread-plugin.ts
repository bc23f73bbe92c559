import { definePlugin, defineTool, listApprovals, listDrafts, type Worksite } from "@worksite/core";
import { z } from "zod";
import { pendingMessages } from "./inbox.js";
import { liveLock } from "./lock.js";
import { threadStanding } from "./standing.js";
import { readState } from "./state.js";

/**
 * The thread's own state as tools, so agents, skills and MCP clients read it
 * through the gate like anything else: `thread.status` (what waits for a
 * person) and `thread.report` (a progress note in this round's evidence).
 * Both only touch the worksite's own state, so their effect is `read`.
 */
export function createThreadPlugin(worksite: Worksite) {
  return definePlugin({
    name: "thread",
    tools: {
      status: defineTool({
        description:
          "The thread's goal, stage, round and state, approvals and drafts waiting for a person, and queued instructions",
        effect: "read",
        input: z.object({}),
        async run(_input, ctx) {
          // The thread's round is state.json's: a session opened outside a run (MCP, `worksite call`) has round 0.
          const standing = threadStanding(await readState(ctx.worksite), await liveLock(ctx.worksite));
          const approvals = await listApprovals(ctx.worksite, { status: "pending" });
          const drafts = (await listDrafts(ctx.worksite)).filter((d) => d.status === "open");
          const queued = await pendingMessages(ctx.worksite, "queue");
          const inProgressRound = standing.running?.round ?? standing.interruptedRound;
          const data = {
            goal: worksite.goal.goal,
            stage: worksite.thread.stage,
            run: ctx.run,
            round: standing.round,
            inProgressRound,
            state: standing.state,
            lastStop: standing.lastStop?.reason ?? null,
            openApprovals: approvals.map((a) => ({
              id: a.id,
              tool: a.tool,
              target: a.target ?? null,
              approve: `worksite approve ${a.id}`,
            })),
            drafts: drafts.map((d) => ({
              id: d.id,
              tool: d.tool,
              summary: d.summary,
              artifact: d.artifact,
              round: d.round,
            })),
            queued: queued.map((m) => m.text),
          };
          const content = [
            `goal: ${data.goal}`,
            `stage ${data.stage} · run ${data.run} · round ${data.round}${inProgressRound !== null ? ` (round ${inProgressRound} ${standing.running ? "in progress" : "interrupted"})` : ""} · state ${data.state}${data.lastStop ? ` (${data.lastStop})` : ""}`,
            `open approvals: ${data.openApprovals.length ? data.openApprovals.map((a) => `${a.id} ${a.tool} ${a.target ?? ""} → ${a.approve}`).join("; ") : "none"}`,
            `open drafts: ${data.drafts.length ? data.drafts.map((d) => `${d.id} ${d.summary} (${d.artifact})`).join("; ") : "none"}`,
            `queued: ${data.queued.length ? data.queued.join(" | ") : "none"}`,
          ].join("\n");
          // Approval targets and draft summaries can quote outside text (a page's URL, a command's words).
          return { content: ctx.untrusted(content, "the thread's own records"), data };
        },
      }),
      report: defineTool({
        description: "Add a progress note (markdown) to this round's evidence, for the person reviewing the thread",
        effect: "read",
        input: z.object({
          note: z.string().min(1).max(20_000).describe("what was done, what is blocked, what is next — markdown"),
          title: z.string().max(200).optional().describe("one line heading for the note"),
          nextWake: z
            .array(z.string().min(1).max(300))
            .max(10)
            .optional()
            .describe(
              "what the next round (or wake) should check first; shown in the thread's standing state as yours",
            ),
        }),
        async run(input, ctx) {
          const time = new Date().toISOString();
          const next = input.nextWake?.length
            ? `\n### On the next wake\n${input.nextWake.map((n) => `- [ ] ${n}`).join("\n")}\n`
            : "";
          const body = `## ${input.title ?? "Progress note"}\n\n_${ctx.actor}, round ${ctx.round}, ${time}_\n\n${input.note.trim()}\n${next}`;
          const ref = await ctx.artifacts.write({
            name: `progress-${time.replace(/[:.]/g, "-")}.md`,
            kind: "markdown",
            data: body,
            meta: { actor: ctx.actor, ...(input.nextWake?.length ? { nextWake: input.nextWake } : {}) },
          });
          return { content: `noted in ${ref.path}`, data: { path: ref.path }, artifacts: [ref] };
        },
      }),
    },
  });
}
