import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type CallToolResult, ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { openSession, type Session } from "@worksite/runtime";
import { readApproval } from "@worksite/core";
import { createWorksiteMcpServer } from "./server.js";
import { auditEntries, makeWorksite, waitForPendingApproval } from "./testing/worksite-fixture.js";

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

// A fake part: client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("worksite MCP server in process over the in-memory transport, on a real session and gate", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let session: Session;
  const clients: Client[] = [];

  beforeEach(async () => {
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await session.dispose();
    await cleanup();
  });

  async function connect(options: {
    name: string;
    answer?: (message: string) => ElicitResult;
    approvalWaitMs?: number;
    elicitApprovals?: boolean;
  }): Promise<Client> {
    const server = createWorksiteMcpServer(session, {
      approvalWaitMs: options.approvalWaitMs ?? 10_000,
      elicitApprovals: options.elicitApprovals ?? false,
    });
    const client = new Client(
      { name: options.name, version: "1" },
      options.answer ? { capabilities: { elicitation: {} } } : {},
    );
    if (options.answer) client.setRequestHandler(ElicitRequestSchema, (req) => options.answer!(req.params.message));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(a), client.connect(b)]);
    clients.push(client);
    return client;
  }

  it("with --elicit-approvals, asks through elicitation and runs the call once accepted, recorded as person:mcp-elicitation:<client>", async () => {
    let asked = "";
    const client = await connect({
      name: "cursor-like",
      elicitApprovals: true,
      answer: (m) => ((asked = m), { action: "accept", content: { approve: true } }),
    });
    const result = await client.callTool({
      name: "file_write",
      arguments: { path: "docs/by-elicitation.md", content: "yes\n" },
    });
    expect(result.isError, text(result)).toBeFalsy();
    expect(asked).toContain("file.write");
    expect(await readFile(join(root, "docs/by-elicitation.md"), "utf8")).toBe("yes\n");
    const approvalEntry = (await auditEntries(root)).find((e) => e.type === "approval");
    expect(approvalEntry?.actor).toBe("person:mcp-elicitation:cursor-like");
  });

  it("with --elicit-approvals, does not run the call when the person declines in the client, and marks the request denied", async () => {
    const client = await connect({ name: "cursor-like", elicitApprovals: true, answer: () => ({ action: "decline" }) });
    const result = await client.callTool({
      name: "file_write",
      arguments: { path: "docs/declined.md", content: "no\n" },
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("declined");
    expect(existsSync(join(root, "docs/declined.md"))).toBe(false);
    const id = (result.structuredContent as { approvalId: string }).approvalId;
    expect(await readApproval(root, id)).toMatchObject({
      status: "denied",
      deniedBy: "person:mcp-elicitation:cursor-like",
    });
  });

  it("answers a retryable 'waiting for approval' after the bound, and the retry runs once approved", async () => {
    const client = await connect({ name: "plain", approvalWaitMs: 300 });
    const first = await client.callTool({
      name: "file_write",
      arguments: { path: "docs/later.md", content: "later\n" },
    });
    expect(first.isError).toBe(true);
    const id = await waitForPendingApproval(root);
    expect(text(first)).toContain(`waiting for approval ${id} — approve with \`worksite approve ${id}\``);
    expect(first.structuredContent).toMatchObject({ status: "pending-approval", approvalId: id, retryable: true });
    const { approve } = await import("@worksite/core");
    await approve(root, id, { by: "person:test", audit: session.audit });
    const retry = await client.callTool({
      name: "file_write",
      arguments: { path: "docs/later.md", content: "later\n" },
    });
    expect(retry.isError, text(retry)).toBeFalsy();
    expect(await readFile(join(root, "docs/later.md"), "utf8")).toBe("later\n");
  });

  it("serves THREAD.md, GOAL.md, PERMISSIONS.md and the skills as resources", async () => {
    const client = await connect({ name: "r" });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([
        "worksite://files/THREAD.md",
        "worksite://files/GOAL.md",
        "worksite://files/PERMISSIONS.md",
        "worksite://skills/write-docs",
      ]),
    );
    const goal = await client.readResource({ uri: "worksite://files/GOAL.md" });
    expect((goal.contents[0] as { text: string }).text).toContain("Keep the docs correct");
    const skill = await client.readResource({ uri: "worksite://skills/write-docs" });
    expect((skill.contents[0] as { text: string }).text).toContain("# Write docs");
  });

  it("lists a draft as an artifact resource the client can read", async () => {
    const client = await connect({ name: "r" });
    const drafted = await client.callTool({ name: "shell_run", arguments: { command: "git push origin main" } });
    const path = (drafted.structuredContent as { draft: string }).draft;
    const { resources } = await client.listResources();
    const uri = `worksite://artifacts/${path.replace(/^artifacts\//, "")}`;
    expect(resources.map((r) => r.uri)).toContain(uri);
    const read = await client.readResource({ uri });
    expect((read.contents[0] as { text: string }).text).toContain("git push");
  });

  it("renders the round context prompt: goal, scope, verify, permissions and open approvals", async () => {
    const client = await connect({ name: "p", approvalWaitMs: 100 });
    await client.callTool({ name: "file_write", arguments: { path: "docs/x.md", content: "x" } });
    const id = await waitForPendingApproval(root);
    const prompt = await client.getPrompt({ name: "round-context" });
    const body = (prompt.messages[0]!.content as { text: string }).text;
    expect(body).toContain("Keep the docs correct and complete.");
    expect(body).toContain("do not change LICENSE");
    expect(body).toContain("`npm test`");
    expect(body).toMatch(/Forbidden.*`shell\.run\(rm -rf\)`/);
    expect(body).toContain(`worksite approve ${id}`);
  });

  it("reports thread status and records a progress note as an audited markdown artifact", async () => {
    const client = await connect({ name: "codex" });
    const status = await client.callTool({ name: "thread_status", arguments: {} });
    expect((status.structuredContent as { data: unknown }).data).toMatchObject({
      goal: "Keep the docs correct and complete.",
      stage: "write",
      round: session.round,
      state: "active",
    });
    const noted = await client.callTool({
      name: "report_progress",
      arguments: { title: "Docs pass", note: "Fixed the intro." },
    });
    expect(noted.isError, text(noted)).toBeFalsy();
    const path = (noted.structuredContent as { data: { path: string } }).data.path;
    expect(await readFile(join(root, path), "utf8")).toContain("Fixed the intro.");
    const entries = await auditEntries(root);
    expect(
      entries.some(
        (e) =>
          // thread.report is a read call: one audit line, its decision with the outcome and artifacts.
          e.outcome === "ok" && e.tool === "thread.report" && e.actor === "mcp:codex" && e.artifacts?.includes(path),
      ),
    ).toBe(true);
  });

  it("answers an unknown tool name with a tool error naming the tools, and audits the call", async () => {
    const client = await connect({ name: "x" });
    const result = await client.callTool({ name: "browser_open", arguments: { url: "https://a.test/" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('unknown tool "browser_open"');
    expect(text(result)).toMatch(/the tools here are: .*file_read/);
    const entry = (await auditEntries(root)).find((e) => e.tool === "browser_open");
    expect(entry).toMatchObject({ type: "result", outcome: "error", actor: "mcp:x" });
    expect(String(entry?.message)).toContain("unknown tool");
  });

  it("does not run a gate tool called by its raw id instead of its MCP name, and audits the attempt", async () => {
    const client = await connect({ name: "x" });
    const result = await client.callTool({ name: "file.read", arguments: { path: "docs/intro.md" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('unknown tool "file.read"; did you mean file_read?');
    expect(text(result)).not.toContain("Hello from the docs");
    const entries = await auditEntries(root);
    expect(entries.filter((e) => e.tool === "file.read").map((e) => [e.type, e.outcome, e.actor])).toEqual([
      ["result", "error", "mcp:x"],
    ]);
  });
});
