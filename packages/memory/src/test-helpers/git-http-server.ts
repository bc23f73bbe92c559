import { execFileSync, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { tempDir } from "@worksite/test-support";

export interface GitServer {
  /** http://127.0.0.1:PORT/<name>.git */
  url: string;
  /** The bare repository on disk, for asserting with the real git CLI. */
  bare: string;
  /** Authorization headers the server saw, to prove credentials came from the environment. */
  seenAuth: string[];
  close(): Promise<void>;
}

/**
 * A real git server on loopback: `git http-backend` (the CGI program git ships)
 * behind a small node:http wrapper. When `password` is given, requests without
 * matching Basic credentials get a 401, as a real host would answer.
 */
export async function startGitServer(
  options: { name?: string; username?: string; password?: string } = {},
): Promise<GitServer> {
  const root = await tempDir("memory-remote-");
  const name = `${options.name ?? "memory"}.git`;
  const bare = join(root, name);
  execFileSync("git", ["init", "--bare", "--quiet", "--initial-branch=main", bare]);
  execFileSync("git", ["-C", bare, "config", "http.receivepack", "true"]);
  const backend = join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");
  const seenAuth: string[] = [];
  const expected = options.password
    ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`
    : undefined;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const auth = req.headers.authorization;
    if (auth) seenAuth.push(auth);
    if (expected && auth !== expected) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="memory"' });
      res.end();
      return;
    }
    const cgi = spawn(backend, [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REMOTE_USER: options.username ?? "tester",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
        ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
        const at = line.indexOf(":");
        const key = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (key.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else res.setHeader(key, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on("end", () => res.end());
    cgi.on("error", () => res.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    bare,
    seenAuth,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
