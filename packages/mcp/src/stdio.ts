import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/** Serves one client on this process's stdin/stdout; resolves when the client goes away. */
export async function serveStdio(
  server: McpServer,
  streams: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<void> {
  const stdin = (streams.stdin ?? process.stdin) as NodeJS.ReadStream;
  const transport = new StdioServerTransport(stdin, (streams.stdout ?? process.stdout) as NodeJS.WriteStream);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The transport does not notice stdin ending on its own.
    stdin.once("end", () => void server.close().finally(resolve));
  });
  await server.connect(transport);
  await closed;
}
