import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { openSession, type Session } from "@worksite/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { createWorksiteMcpServer } from "./server.js";
import type { McpSession } from "./session.js";
import { makeWorksite } from "./testing/worksite-fixture.js";

/*
 * `worksite mcp` answers the handshake while its session (and the browser behind it) is still opening
 * (issue 13 item 4). The SDK's in-memory transport stands in for stdio here; cli.e2e.test.ts runs the real CLI.
 */

let cleanup: (() => Promise<void>) | undefined;
let session: Session | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await session?.dispose();
  session = undefined;
  await cleanup?.();
});

async function connect(opening: Promise<McpSession>): Promise<Client> {
  const client = new Client({ name: "agent", version: "1" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([createWorksiteMcpServer(opening).connect(a), client.connect(b)]);
  clients.push(client);
  return client;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("an MCP server whose session is still opening", () => {
  it("answers initialize at once, and a tool call made before the session is open runs once it is", async () => {
    const made = await makeWorksite();
    cleanup = made.cleanup;
    const opening = deferred<McpSession>();
    const client = await connect(opening.promise);
    // The handshake is done although no session exists yet.
    expect(client.getServerVersion()?.name).toBe("worksite");
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {} });

    let answered = false;
    const listed = client.listTools().finally(() => {
      answered = true;
    });
    const called = client.callTool({ name: "thread_status", arguments: {} });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);

    session = await openSession({ root: made.root, actor: "mcp" });
    opening.resolve(session);
    expect((await listed).tools.map((t) => t.name)).toContain("thread_status");
    const status = await called;
    expect(status.isError).toBeFalsy();
    // Audited under the client's name, which the server learned in the handshake before the session existed.
    const entries = await session.audit.entries();
    expect(entries.some((e) => e.tool === "thread.status" && e.actor === "mcp:agent")).toBe(true);
  });

  it("fails each request that needs the session with the reason it could not open", async () => {
    const opening = deferred<McpSession>();
    const client = await connect(opening.promise);
    opening.reject(new Error("PERMISSIONS.md:3: expected a rule in a code span"));
    await expect(client.listTools()).rejects.toThrow(/PERMISSIONS\.md:3: expected a rule/);
    await expect(client.readResource({ uri: "worksite://files/THREAD.md" })).rejects.toThrow(/PERMISSIONS\.md:3/);
  });
});
