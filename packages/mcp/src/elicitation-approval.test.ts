import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type CallToolResult, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { openSession, type Session } from "@worksite/runtime";
import { readApproval } from "@worksite/core";
import { createWorksiteMcpServer, type WorksiteMcpServerOptions } from "./server.js";
import { auditEntries, makeWorksite } from "./testing/worksite-fixture.js";

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

/*
 * Over MCP the agent may itself be the client: it can declare elicitation, answer
 * its own question "yes", and pick any name in `initialize` — "alice" included.
 */
// A fake part: client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("approving a confirm-tier call through MCP elicitation (in-memory transport)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let session: Session;
  let client: Client | undefined;
  let asked: number;

  beforeEach(async () => {
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
    asked = 0;
  });
  afterEach(async () => {
    await client?.close();
    await session.dispose();
    await cleanup();
  });

  /** A client with no person behind it: its own code answers yes to every question. */
  async function selfApprovingClient(name: string, options: WorksiteMcpServerOptions): Promise<Client> {
    const server = createWorksiteMcpServer(session, options);
    client = new Client({ name, version: "1" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => (asked++, { action: "accept", content: { approve: true } }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(a), client.connect(b)]);
    return client;
  }

  it("is off by default: an agent answering its own elicitation gets no approval and the call waits for `worksite approve`", async () => {
    const agent = await selfApprovingClient("alice", { approvalWaitMs: 1_000 });
    const result = await agent.callTool({
      name: "file_write",
      arguments: { path: "docs/self-approved.md", content: "no person saw this\n" },
    });
    const approval = (await auditEntries(root)).find((e) => e.type === "approval");
    expect({ ran: existsSync(join(root, "docs/self-approved.md")), approvedAs: approval?.actor, asked }).toEqual({
      ran: false,
      approvedAs: undefined,
      asked: 0,
    });
    const id = (result.structuredContent as { approvalId: string }).approvalId;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`waiting for approval ${id} — approve with \`worksite approve ${id}\``);
    expect((await readApproval(root, id))?.status).toBe("pending");
  });

  it("when turned on, records the approval as person:mcp-elicitation:<client>, never as the person the client names itself", async () => {
    const agent = await selfApprovingClient("person:alice", { approvalWaitMs: 5_000, elicitApprovals: true });
    const result = await agent.callTool({
      name: "file_write",
      arguments: { path: "docs/elicited.md", content: "asked in the client\n" },
    });
    expect(result.isError, text(result)).toBeFalsy();
    expect(asked).toBe(1);
    expect(await readFile(join(root, "docs/elicited.md"), "utf8")).toBe("asked in the client\n");

    const entries = await auditEntries(root);
    const approval = entries.find((e) => e.type === "approval");
    expect(approval?.actor).toBe("person:mcp-elicitation:person-alice");
    const id = (approval!.data as { approval: string }).approval;
    const note = entries.find((e) => e.type === "note" && e.actor === "person:mcp-elicitation:person-alice");
    expect(String(note?.message)).toMatch(/elicitation/);
    expect(entries.some((e) => e.actor === "person:alice" || e.actor === "person:person-alice")).toBe(false);
    expect((await readApproval(root, id))?.approvedBy).toBe("person:mcp-elicitation:person-alice");
  });
});
