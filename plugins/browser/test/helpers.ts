import { createHash } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createBrowserPlugin } from "../src/index.js";
import {
  createArtifactStore,
  createGate,
  createPolicy,
  openAuditLog,
  inferEffect,
  parsePermissions,
  wrapUntrusted,
  type AuditLog,
  type Decision,
  type Gate,
  type GateOutcome,
  type Logger,
  type Tier,
  type ToolContext,
  type ToolDefinition,
} from "@worksite/core";
import { tempDir as sharedTempDir } from "@worksite/test-support";

export interface TestServer {
  origin: string;
  close(): Promise<void>;
}

/** A real HTTP server on a free port; `routes` maps a path to a handler. */
export async function serve(
  routes: Record<string, (req: IncomingMessage, res: ServerResponse, origin: string) => void>,
  host = "127.0.0.1",
): Promise<TestServer> {
  let origin = "";
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", origin).pathname;
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    route(req, res, origin);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const html =
  (body: string, title = "Test page") =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);
  };

export async function tempDir(prefix = "worksite-browser-test-"): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await sharedTempDir(prefix);
  // A Chromium profile may still be written by its helper processes just after the browser exits.
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export interface Check {
  tool: string;
  target: string;
  tier: Tier;
}

/**
 * A ToolContext from real parts — the policy built from a PERMISSIONS.md text
 * (parsePermissions + createPolicy, as the gate does), the artifact store on
 * disk, the core envelope — without the gate's audit log: every check is
 * recorded in `checks`, and the summaries the browser writes in `notes`.
 */
export function makeContext(
  worksite: string,
  permissions: string,
  tools: Record<string, Pick<ToolDefinition, "effect" | "namedAllowOnly">> = {},
) {
  const policy = createPolicy(
    parsePermissions(permissions, { file: join(worksite, "PERMISSIONS.md"), root: worksite }),
    { root: worksite, stage: "write" },
  );
  // The effect and flags a tool declares, as the gate's registry gives them to the policy.
  const decide = (tool: string, target: string): Decision => {
    const known = tools[tool.replace(/^browser\./, "")];
    return policy.decide({
      tool,
      target,
      effect: known?.effect ?? inferEffect(tool),
      targetKind: "url",
      ...(known?.namedAllowOnly ? { namedAllowOnly: true } : {}),
    });
  };
  const checks: Check[] = [];
  const notes: Parameters<NonNullable<ToolContext["note"]>>[0][] = [];
  const ctx: ToolContext = {
    worksite,
    run: "run-test",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root: worksite, run: "run-test", round: 1, redact: (t) => t, tool: "browser" }),
    signal: new AbortController().signal,
    log: quiet,
    untrusted: wrapUntrusted,
    redact: (t) => t,
    async check(tool, target) {
      const decision = decide(tool, target);
      checks.push({ tool, target, tier: decision.tier });
      return decision;
    },
    decide,
    async note(entry) {
      notes.push(entry);
    },
  };
  return { ctx, checks, notes };
}

/** Calls a tool the way the gate would, minus the policy: parse input, then run. */
export async function callTool(tool: ToolDefinition<any>, input: unknown, ctx: ToolContext) {
  const parsed = tool.input.parse(input);
  const target = tool.target ? await tool.target(parsed, ctx) : undefined;
  const floor = tool.minimumTier ? await tool.minimumTier(parsed, ctx) : undefined;
  const result = await tool.run(parsed, ctx);
  return { ...result, target, floor };
}

/** The ref of the first snapshot line matching `pattern` (e.g. /button "Submit"/). */
export function refOf(snapshot: string, pattern: RegExp): string {
  const line = snapshot.split("\n").find((l) => pattern.test(l));
  const ref = line?.match(/\[ref=(e\d+)\]/)?.[1];
  if (!ref) throw new Error(`no ref for ${pattern} in:\n${snapshot}`);
  return ref;
}

/** A gate call that must succeed; anything else fails the test with the gate's message. */
export async function callOk(
  gate: Pick<Gate, "call">,
  tool: string,
  input: unknown,
): Promise<Extract<GateOutcome, { status: "ok" }>> {
  const outcome = await gate.call({ tool, input });
  if (outcome.status !== "ok")
    throw new Error(`${tool}: ${outcome.status} ${"message" in outcome ? outcome.message : ""}`);
  return outcome;
}

export interface CountingServer extends TestServer {
  /** Every HTTP request that reached the server: "GET /path". */
  requests: string[];
  /** WebSocket (or any) upgrade requests that reached it. */
  upgrades: string[];
  /** TCP connections opened to it (a preconnect opens one without a request). */
  connections(): number;
}

/**
 * A real server that counts what reaches it, for "no byte left the browser"
 * tests. `routes` answer as in `serve`; a path with no route gets 200 "ok".
 * With `acceptWebSockets`, upgrades complete the WebSocket handshake and then close.
 */
export async function countingServer(
  routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {},
  options: { acceptWebSockets?: boolean } = {},
): Promise<CountingServer> {
  const requests: string[] = [];
  const upgrades: string[] = [];
  let connections = 0;
  const sockets = new Set<import("node:stream").Duplex>();
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (route) return route(req, res);
    res.writeHead(200, { "content-type": "text/plain", "access-control-allow-origin": "*" }).end("ok");
  });
  server.on("connection", () => {
    connections++;
  });
  server.on("upgrade", (req, socket) => {
    upgrades.push(`${req.method} ${req.url}`);
    sockets.add(socket);
    const key = req.headers["sec-websocket-key"];
    if (!options.acceptWebSockets || typeof key !== "string") {
      socket.destroy();
      return;
    }
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
    );
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    upgrades,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `probe` until it returns something truthy, or fails naming `what` after a generous deadline. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The real gate over the browser plugin for a worksite: PERMISSIONS.md written to disk and parsed as
 * a run would, the hash-chained audit log under .worksite/, one Chromium started on first use.
 */
export async function browserGate(
  root: string,
  permissions: string,
  run: string,
  round = 1,
): Promise<{ gate: Gate; audit: AuditLog }> {
  await writeFile(join(root, "PERMISSIONS.md"), permissions);
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
    plugins: [createBrowserPlugin({ timeoutMs: 10_000 })],
    audit,
    actor: "agent",
    run,
    round,
  });
  return { gate, audit };
}
