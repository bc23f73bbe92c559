import { UserError } from "@worksite/core/messages";
import type { Session } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { version } from "../version.js";

export default defineCommand({
  name: "mcp",
  usage: "mcp [--http [--port N]] [--approval-wait SECONDS] [--elicit-approvals]",
  summary: "serve this worksite's gated tools to an MCP client (stdio, or local HTTP with a token)",
  options: {
    http: { type: "boolean", description: "serve Streamable HTTP on 127.0.0.1 instead of stdio" },
    port: { type: "string", description: "HTTP port (default: a free one)" },
    "approval-wait": {
      type: "string",
      description: "seconds a confirm-tier call waits for `worksite approve` (default 120)",
    },
    "elicit-approvals": {
      type: "boolean",
      description:
        "let the MCP client ask its user to approve a confirm-tier call (elicitation); only when the client really shows the question to a person",
    },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const approvalWaitMs = seconds(args.options["approval-wait"], "--approval-wait", 120) * 1000;
    const port = args.options.port === undefined ? 0 : seconds(args.options.port, "--port", 0);
    if (args.options.port !== undefined && !args.options.http)
      throw new UserError("--port needs --http", { hint: "worksite mcp --http --port 8765" });

    // Cold start (issue 13 item 4): the plugins' slow work (Chromium) starts first, before the runtime and
    // puppeteer load, from modules that load little; then the session, and the MCP server's modules while it
    // opens; stdio answers `initialize` without waiting for either. The first request that needs the session
    // waits for it. The runtime is imported here, not at the top, so the session's own imports come before the server's.
    const early = await import("@worksite/runtime/early-start")
      .then(({ startPluginsEarly }) => startPluginsEarly(root))
      .catch(() => undefined);
    const opening = import("@worksite/runtime").then(({ openSession }) => openSession({ root, actor: "mcp" }));
    const opened = opening.then((session) => {
      // Whatever the plugins did not take once they are warm is of no use: it is ended.
      void session.gate.warmUp().finally(() => early?.discard());
      return session;
    });
    // A session that cannot open (a bad PERMISSIONS.md) ends the command with its error, as before.
    const failed = opened.then(() => new Promise<never>(() => {}));
    failed.catch(() => undefined); // reported by the race below, once the server is up
    const { createWorksiteMcpServer, serveHttp, serveStdio } = await import("@worksite/mcp");
    // Off by default: over MCP the agent may be the client and would answer its own question.
    const elicitApprovals = args.options["elicit-approvals"] === true;
    const create = () => createWorksiteMcpServer(opened, { approvalWaitMs, elicitApprovals, version });
    try {
      if (!args.options.http) {
        // stdout is the protocol channel: nothing else may be written there.
        const server = create();
        try {
          await Promise.race([serveStdio(server), failed]);
        } catch (error) {
          await server.close();
          throw error;
        }
        // A client that left before the session failed to open still gets the reason on stderr.
        await opened;
        return 0;
      }
      // Over HTTP the address is printed once the session is open, so a broken worksite never shows one.
      await opened;
      const serving = await serveHttp(create, { port });
      // The token is shown once, here; it is not written anywhere else.
      if (args.options.json) io.stdout(`${JSON.stringify({ url: serving.url, token: serving.token })}\n`);
      io.stderr(
        `worksite MCP server for ${root}\n  url:    ${serving.url}\n  header: Authorization: Bearer ${serving.token}\nStop with Ctrl-C.\n`,
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await serving.close();
      return 0;
    } finally {
      const session: Session | undefined = await opened.catch(() => undefined);
      await session?.dispose();
      await early?.discard();
    }
  },
});

function seconds(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new UserError(`${flag} needs a whole number, got ${JSON.stringify(value)}`);
  return n;
}
