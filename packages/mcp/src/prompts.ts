import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { listApprovals } from "@worksite/core";
import { renderRoundContext } from "./round-context.js";
import type { McpSession } from "./session.js";

export function registerPrompts(server: McpServer, session: McpSession): void {
  server.registerPrompt(
    "round-context",
    {
      title: "Round context",
      description: "The thread's goal, scope, verification, permissions and open approvals for this round",
    },
    async () => ({
      description: `Round ${session.round} context`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: renderRoundContext({
              worksite: session.worksite,
              run: session.run,
              round: session.round,
              openApprovals: await listApprovals(session.root, { status: "pending" }),
            }),
          },
        },
      ],
    }),
  );
}
