import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { listApprovals } from "@worksite/core";
import { liveLock, readState, threadStanding } from "@worksite/runtime";
import { renderRoundContext } from "./round-context.js";
import type { McpSession } from "./session.js";

export function registerPrompts(server: McpServer, opened: McpSession | Promise<McpSession>): void {
  server.registerPrompt(
    "round-context",
    {
      title: "Round context",
      description: "The thread's goal, scope, verification, permissions and open approvals for this round",
    },
    async () => {
      const session = await opened;
      const { round, note } = await threadRound(session.root);
      return {
        description: `Round ${round} context`,
        messages: [
          {
            role: "user",
            content: {
              type: "text",
              text: renderRoundContext({
                worksite: session.worksite,
                run: session.run,
                round,
                roundNote: note,
                openApprovals: await listApprovals(session.root, { status: "pending" }),
              }),
            },
          },
        ],
      };
    },
  );
}

/**
 * The thread's own round, read when the prompt is asked for (the server may have started rounds ago):
 * the running round, or the last finished one and what the next run starts.
 */
export async function threadRound(root: string): Promise<{ round: number; note: string }> {
  const state = await readState(root);
  const standing = threadStanding(state, await liveLock(root));
  if (standing.running)
    return {
      round: standing.running.round,
      note: `Round ${standing.running.round} is running (run ${standing.running.run}).`,
    };
  if (standing.interruptedRound !== null)
    return {
      round: standing.interruptedRound,
      note: `Round ${standing.interruptedRound} was interrupted; the next \`worksite run\` redoes it.`,
    };
  if (state.round === 0) return { round: 1, note: "No round has run yet; the next `worksite run` starts round 1." };
  return {
    round: state.round,
    note: `Round ${state.round} finished (${state.state}); the next \`worksite run\` starts round ${state.round + 1}.`,
  };
}
