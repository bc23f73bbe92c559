import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

export interface HttpServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token, for tests and scripted clients; otherwise a fresh random one. */
  token?: string;
  maxBodyBytes?: number;
}

export interface HttpServing {
  url: string;
  port: number;
  /** The bearer token a client must send: `Authorization: Bearer <token>`. */
  token: string;
  close(): Promise<void>;
}

/** Loopback only: the server is for agents on this machine, never the network. */
const HOST = "127.0.0.1";
const PATH = "/mcp";

/**
 * Streamable HTTP on 127.0.0.1. Each MCP session gets its own server from `createMcpServer`.
 * A web page the user visits could reach a loopback port, so the Host must be this
 * server's own (DNS rebinding), a browser's Origin must be too, and every request carries
 * the bearer token printed at start.
 * https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#security-warning
 */
export async function serveHttp(
  createMcpServer: () => McpServer,
  options: HttpServeOptions = {},
): Promise<HttpServing> {
  const token = options.token ?? randomBytes(32).toString("base64url");
  const expected = Buffer.from(`Bearer ${token}`);
  // Loaded here, not with the package: it brings an HTTP framework a stdio server never uses (issue 13 item 4).
  const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  let port = 0;

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        reply(res, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const allowedHosts = [`${HOST}:${port}`, `localhost:${port}`];
    const host = (req.headers.host ?? "").toLowerCase();
    if (!allowedHosts.includes(host))
      return reply(res, 403, {
        error: `Host ${JSON.stringify(host)} is not this server (expected ${allowedHosts.join(" or ")})`,
      });
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`))
      return reply(res, 403, { error: `Origin ${JSON.stringify(origin)} may not call this server` });
    const auth = Buffer.from(req.headers.authorization ?? "");
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="worksite"');
      return reply(res, 401, {
        error: "missing or wrong bearer token (printed by `worksite mcp --http` when it started)",
      });
    }
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname !== PATH) return reply(res, 404, { error: `the MCP endpoint is ${PATH}` });

    const sessionId = req.headers["mcp-session-id"];
    const known = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (known) return known.transport.handleRequest(req, res);
    if (sessionId !== undefined)
      return reply(res, 404, {
        jsonrpc: "2.0",
        error: { code: -32001, message: "unknown session; initialize again" },
        id: null,
      });
    if (req.method !== "POST")
      return reply(res, 400, {
        jsonrpc: "2.0",
        error: { code: -32000, message: "no session: send initialize first" },
        id: null,
      });

    const body = await readJson(req, options.maxBodyBytes ?? 4 * 1024 * 1024);
    if (body === undefined || !isInitializeRequest(body))
      return reply(res, 400, {
        jsonrpc: "2.0",
        error: { code: -32000, message: "no session: send initialize first" },
        id: null,
      });
    const server = createMcpServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}${PATH}`,
    port,
    token,
    async close() {
      await Promise.allSettled([...sessions.values()].map(({ server }) => server.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
