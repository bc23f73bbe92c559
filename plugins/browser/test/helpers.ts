import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createArtifactStore, wrapUntrusted, type Decision, type Gate, type GateOutcome, type Logger, type Tier, type ToolContext, type ToolDefinition } from "@worksite/core";

export interface TestServer {
  origin: string;
  close(): Promise<void>;
}

/** A real HTTP server on a free port; `routes` maps a path to a handler. */
export async function serve(routes: Record<string, (req: IncomingMessage, res: ServerResponse, origin: string) => void>, host = "127.0.0.1"): Promise<TestServer> {
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
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export const html = (body: string, title = "Test page") => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);
};

export async function tempDir(prefix = "worksite-browser-test-"): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export interface Check { tool: string; target: string; tier: Tier }

/**
 * A ToolContext from real parts (artifact store on disk, the core envelope),
 * with `check` backed by a small decide function; every check is recorded.
 */
export function makeContext(worksite: string, decide: (tool: string, target: string) => Tier, options: { ruleFor?: (target: string) => boolean } = {}) {
  const checks: Check[] = [];
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
      const tier = decide(tool, target);
      checks.push({ tool, target, tier });
      const decision: Decision = { tier, reason: `test policy said ${tier}` };
      if (options.ruleFor?.(target)) decision.rule = { text: `browser.open ${target}`, file: "PERMISSIONS.md", line: 1 };
      return decision;
    },
  };
  return { ctx, checks };
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
export async function callOk(gate: Pick<Gate, "call">, tool: string, input: unknown): Promise<Extract<GateOutcome, { status: "ok" }>> {
  const outcome = await gate.call({ tool, input });
  if (outcome.status !== "ok") throw new Error(`${tool}: ${outcome.status} ${"message" in outcome ? outcome.message : ""}`);
  return outcome;
}
