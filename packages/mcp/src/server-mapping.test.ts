import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { AuditEvent, Gate, GateCall, RegisteredTool, Worksite } from "@worksite/core";
import { createWorksiteMcpServer } from "./server.js";
import type { McpSession } from "./session.js";

function tool(
  id: string,
  effect: RegisteredTool["effect"],
  input: z.ZodType,
  extra: Partial<RegisteredTool> = {},
): RegisteredTool {
  return {
    id,
    plugin: id.split(".")[0]!,
    description: `${id} does things`,
    effect,
    input,
    run: async () => ({ content: "" }),
    ...extra,
  };
}

/** A hand-built gate: records what reached it and answers ok. */
function stubSession(tools: RegisteredTool[]) {
  const calls: GateCall[] = [];
  const events: AuditEvent[] = [];
  const gate = {
    tools: () => tools,
    async call(call: GateCall) {
      calls.push(call);
      return {
        status: "ok",
        tool: call.tool,
        decision: { tier: "allow", reason: "stub" },
        result: { content: `ran ${call.tool}` },
        auditSeq: calls.length,
      } as const;
    },
  } as unknown as Gate;
  const session = {
    root: "/nonexistent",
    run: "r",
    round: 1,
    gate,
    worksite: {} as Worksite,
    audit: {
      path: "",
      append: async (e: AuditEvent) => (events.push(e), { ...e, seq: 0, time: "", prev: "", hash: "" }),
      entries: async () => [],
      verify: async () => ({ ok: true, entries: 0 }),
    },
  } as unknown as McpSession;
  return { session, calls, events };
}

async function connect(session: McpSession, name = "stub-client") {
  const client = new Client({ name, version: "1" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([createWorksiteMcpServer(session).connect(a), client.connect(b)]);
  return client;
}

describe("tool mapping between MCP and the gate (stub gate, in-memory transport)", () => {
  const tools = [
    tool("browser.open", "read", z.object({ url: z.string().url() }), { targetKind: "url" }),
    tool("memory.write", "write", z.object({ name: z.string(), body: z.string() })),
    tool("memory.search", "read", z.object({ query: z.string() })),
    tool("thread.status", "read", z.object({})),
    tool("thread.report", "read", z.object({ note: z.string() })),
    tool("echo.say", "read", z.string()),
  ];

  it("offers memory.write as memory_propose and says it is a proposal", async () => {
    const client = await connect(stubSession(tools).session);
    const listed = (await client.listTools()).tools;
    const propose = listed.find((t) => t.name === "memory_propose");
    expect(propose?.description).toMatch(/^Propose a memory entry/);
    expect(listed.find((t) => t.name === "memory_write")).toBeUndefined();
    expect(listed.find((t) => t.name === "browser_open")?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: true,
    });
  });

  it("sends a call to the gate under the tool's own id, with the client's name as actor", async () => {
    const { session, calls } = stubSession(tools);
    const client = await connect(session, "Claude Code");
    await client.callTool({ name: "memory_propose", arguments: { name: "n", body: "b" } });
    await client.callTool({ name: "browser_open", arguments: { url: "https://a.test/" } });
    expect(calls.map((c) => [c.tool, c.actor])).toEqual([
      ["memory.write", "mcp:Claude-Code"],
      ["browser.open", "mcp:Claude-Code"],
    ]);
    expect(calls[1]!.input).toEqual({ url: "https://a.test/" });
  });

  it("offers thread.status and thread.report as thread_status and report_progress, through the gate", async () => {
    const { session, calls } = stubSession(tools);
    const client = await connect(session);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["thread_status", "report_progress"]));
    await client.callTool({ name: "report_progress", arguments: { note: "n" } });
    expect(calls.at(-1)!.tool).toBe("thread.report");
  });

  it("passes an argument the gate will reject straight to the gate, which validates and audits it", async () => {
    const { session, calls } = stubSession(tools);
    const client = await connect(session);
    await client.callTool({ name: "browser_open", arguments: { url: 42 } });
    expect(calls.at(-1)!.input).toEqual({ url: 42 });
  });

  it("unwraps a non-object input", async () => {
    const { session, calls } = stubSession(tools);
    const client = await connect(session);
    await client.callTool({ name: "echo_say", arguments: { input: "hi" } });
    expect(calls.at(-1)!.input).toBe("hi");
  });
});
