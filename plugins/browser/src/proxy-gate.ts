import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface ProxyGate {
  /** `--proxy-server` value for Chromium. */
  proxyArg: string;
  close(): Promise<void>;
}

/**
 * The wire half of the request guard: Chromium's only way out. The Fetch
 * domain never pauses a WebSocket handshake, and Chromium opens speculative
 * connections (preconnects) that no request precedes, so Chromium is started
 * with this process as its proxy for everything. Every WebSocket (ws: and
 * wss:) and TLS connection arrives as a CONNECT, decided by origin; every plain
 * http request arrives in absolute form, decided by URL. A refusal is a 403
 * from here: no byte reaches the refused host, not even a TCP handshake.
 */
export async function startProxyGate(
  permit: (host: string, port: number) => Promise<boolean>,
  permitUrl: (url: string) => Promise<boolean>,
): Promise<ProxyGate> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void forward(req, res));
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    void open(req, client, head);
  });
  async function open(req: IncomingMessage, client: Socket, head: Buffer) {
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(req.url ?? "");
    const host = match?.[1];
    const port = Number(match?.[2]);
    let ok = false;
    try {
      ok = host !== undefined && port > 0 && port < 65536 && (await permit(host, port));
    } catch {
      ok = false;
    }
    if (client.destroyed) return;
    if (!ok || host === undefined) {
      client.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = connect(port, host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  }
  /** A plain http request, in absolute form. The Fetch guard decided it already; this decides again at the wire. */
  async function forward(req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? "");
      if (url.protocol !== "http:") throw new Error("not http");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("absolute http URLs only");
      return;
    }
    let ok = false;
    try {
      ok = await permitUrl(url.href);
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(403, { "content-type": "text/plain" }).end("refused by PERMISSIONS.md");
      return;
    }
    const upstream = httpRequest(
      {
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || 80,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: withoutProxyHeaders(req.headers),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    proxyArg: `127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function withoutProxyHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  delete out["proxy-connection"];
  delete out["proxy-authorization"];
  return out;
}
