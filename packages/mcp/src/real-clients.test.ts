import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { approve, createArtifactStore, redactSecrets } from "@worksite/core";
import { writeState } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import type { WorksiteMcpServerOptions } from "./server.js";
import { inMemoryMcp } from "./testing/in-memory.js";
import { waitForPendingApproval } from "./testing/worksite-fixture.js";

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

/** Polls `ready` until it holds (generous deadline): the wait is on an event, never a fixed sleep. */
async function until(ready: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The real SDK client and server; the transport between them is the SDK's in-memory pair (cli.e2e covers stdio).
describe("MCP for real clients: what the SDK client sees", () => {
  const mcp = inMemoryMcp();
  const connect = (options: WorksiteMcpServerOptions = {}) =>
    mcp.connect(options, new Client({ name: "inspector-like", version: "1" }));

  it("keeps a client that resets its timeout on progress waiting past that timeout, showing the approval id first", async () => {
    const client = await connect({ approvalWaitMs: 60_000, progressEveryMs: 50 });
    const progress: Progress[] = [];
    const call = client.callTool(
      { name: "file_write", arguments: { path: "docs/new.md", content: "hello" } },
      undefined,
      {
        timeout: 500,
        resetTimeoutOnProgress: true,
        onprogress: (p) => progress.push(p),
      },
    );
    const id = await waitForPendingApproval(mcp.root());
    // Twenty notifications at 50 ms apart: well past the client's 500 ms request timeout.
    await until(() => progress.length >= 20, "twenty progress notifications");
    expect(progress[0]!.message).toContain(`worksite approve ${id}`);
    expect(progress.every((p) => p.message?.includes(id))).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    await approve(mcp.root(), id, { by: "person:test", audit: mcp.session().audit });
    const result = await call;
    expect(result.isError, text(result)).toBeFalsy();
    expect((result.structuredContent as { status: string }).status).toBe("ok");
  });

  it("answers a client that sent no progress token before its timeout, with the approval id in the result", async () => {
    const client = await connect({ approvalWaitMs: 60_000, quietWaitMs: 300 });
    // Without a progress token nothing can reset the client's timer: the answer must come first.
    const result = await client.callTool(
      { name: "file_write", arguments: { path: "docs/new.md", content: "x" } },
      undefined,
      {
        timeout: 10_000,
      },
    );
    const id = await waitForPendingApproval(mcp.root());
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`worksite approve ${id}`);
    expect(text(result)).toContain("call file.write again with the same input");
    expect(result.structuredContent).toMatchObject({ status: "pending-approval", approvalId: id, retryable: true });
  });

  it("does not announce report_progress as read-only", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const report = tools.find((t) => t.name === "report_progress");
    expect(report?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(tools.find((t) => t.name === "thread_status")?.annotations?.readOnlyHint).toBe(true);
  });

  it("lists artifacts under worksite://artifacts/round-N/… with a title of their own", async () => {
    const store = createArtifactStore({ root: mcp.root(), run: "run-1", round: 1, redact: redactSecrets });
    await store.write({ name: "test-output.txt", kind: "log", data: "ok\n" });
    await store.write({ name: "page.md", kind: "markdown", data: "# page\n" });
    const client = await connect();
    const artifacts = (await client.listResources()).resources.filter((r) => r.uri.startsWith("worksite://artifacts/"));
    expect(artifacts.map((r) => r.uri).sort()).toEqual([
      "worksite://artifacts/round-1/page.md",
      "worksite://artifacts/round-1/test-output.txt",
    ]);
    expect(artifacts.map((r) => r.title).sort()).toEqual(["Round 1: page.md", "Round 1: test-output.txt"]);
    const read = await client.readResource({ uri: "worksite://artifacts/round-1/test-output.txt" });
    expect((read.contents[0] as { text: string }).text).toBe("ok\n");
    // A link shared in the old form still opens.
    const old = await client.readResource({ uri: "worksite://artifacts/artifacts/round-1/page.md" });
    expect((old.contents[0] as { text: string }).text).toBe("# page\n");
  });

  it("shows the thread's real round in the round-context prompt, not the server's", async () => {
    await writeState(mcp.root(), {
      round: 3,
      state: "active",
      lastStop: { round: 3, reason: "ran the rounds asked for", at: new Date().toISOString() },
    });
    const client = await connect();
    const prompt = await client.getPrompt({ name: "round-context" });
    const body = (prompt.messages[0]!.content as { text: string }).text;
    expect(body).toMatch(/^# Round 3 of /);
    expect(body).toContain("Round 3 finished (active); the next `worksite run` starts round 4.");
    expect(prompt.description).toBe("Round 3 context");
  });

  it("says no round has run yet on a fresh thread", async () => {
    await writeFile(join(mcp.root(), "docs", "unused.md"), "x");
    const client = await connect();
    const body = ((await client.getPrompt({ name: "round-context" })).messages[0]!.content as { text: string }).text;
    expect(body).toContain("No round has run yet; the next `worksite run` starts round 1.");
  });
});
