import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { openSession, type Session } from "@worksite/runtime";
import { afterEach, beforeEach } from "vitest";
import { createWorksiteMcpServer, type WorksiteMcpServerOptions } from "../server.js";
import { makeWorksite } from "./worksite-fixture.js";

/**
 * For each test: a hand-written worksite, a real session on it, and SDK clients connected to its MCP server over
 * the SDK's in-memory transport (the fake part; cli.e2e.test.ts covers stdio and HTTP). All closed afterwards.
 */
export function inMemoryMcp() {
  let root = "";
  let session: Session | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const clients: Client[] = [];
  beforeEach(async () => {
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await session?.dispose();
    await cleanup?.();
  });
  return {
    root: () => root,
    session: () => session!,
    /** A client (by default a plain one) connected to a fresh server on this test's session. */
    async connect(options: WorksiteMcpServerOptions = {}, client = new Client({ name: "agent", version: "1" })) {
      const [a, b] = InMemoryTransport.createLinkedPair();
      await Promise.all([createWorksiteMcpServer(session!, options).connect(a), client.connect(b)]);
      clients.push(client);
      return client;
    },
  };
}
