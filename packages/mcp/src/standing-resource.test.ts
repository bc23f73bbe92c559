import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { openSession, type Session } from "@worksite/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STANDING_URI } from "./resources.js";
import { createWorksiteMcpServer } from "./server.js";
import { makeWorksite } from "./testing/worksite-fixture.js";

// Client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("the standing state as an MCP resource (in-memory transport)", () => {
  let cleanup: () => Promise<void>;
  let session: Session;
  let client: Client | undefined;

  beforeEach(async () => {
    let root: string;
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
  });
  afterEach(async () => {
    await client?.close();
    await session.dispose();
    await cleanup();
  });

  it("is listed, and read now: a person's decision made after the client connected is already in it", async () => {
    client = new Client({ name: "agent", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([createWorksiteMcpServer(session).connect(a), client.connect(b)]);

    const listed = await client.listResources();
    expect(listed.resources).toContainEqual(expect.objectContaining({ uri: STANDING_URI, title: "Standing state" }));
    const before = await client.readResource({ uri: STANDING_URI });
    const first = before.contents[0] as { text: string; mimeType: string };
    expect(first.mimeType).toBe("text/markdown");
    expect(first.text).toMatch(/^## Standing[\s\S]*### Decisions\n- none/);

    await session.audit.append({
      type: "note",
      actor: "person:alice",
      message: "closed problem P3: fixed upstream",
      data: { closeProblem: "P3" },
    });
    const after = (await client.readResource({ uri: STANDING_URI })).contents[0] as { text: string };
    expect(after.text).toMatch(/person:alice: closed problem P3: fixed upstream — \[audit #\d+\]/);
  });
});
