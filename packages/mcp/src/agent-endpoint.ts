import type { ToolEndpoint } from "@worksite/runtime";
import { serveHttp } from "./http.js";
import { createWorksiteMcpServer } from "./server.js";
import type { McpSession } from "./session.js";

/**
 * The gate endpoint a sandboxed command agent reaches worksite's tools by:
 * the run's own session served over MCP Streamable HTTP on loopback, with a
 * fresh bearer token, from outside the sandbox (where the audit log can be
 * written). Every call goes through the session's gate, as over stdio.
 */
export async function agentToolEndpoint(session: McpSession): Promise<ToolEndpoint> {
  const serving = await serveHttp(() => createWorksiteMcpServer(session));
  return { url: serving.url, port: serving.port, token: serving.token, close: () => serving.close() };
}
