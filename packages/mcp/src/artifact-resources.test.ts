import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { definePlugin, defineTool } from "@worksite/core";
import { openSession, type Session } from "@worksite/runtime";
import { z } from "zod";
import { createWorksiteMcpServer } from "./server.js";
import { makeWorksite } from "./testing/worksite-fixture.js";

/*
 * artifacts/index.json is an ordinary worksite file (not under .worksite/): an agent
 * that can write it once could list any path there. Only what the artifact store
 * writes — artifacts/round-N/<name>, no symlinks — is served.
 */
// A fake part: client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("artifact resources serve only the artifact store's own files (in-memory transport)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let session: Session;
  let client: Client | undefined;

  beforeEach(async () => {
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
    await mkdir(join(root, ".worksite"), { recursive: true });
    await writeFile(join(root, ".worksite", "audit-copy.jsonl"), '{"seq":1,"note":"runtime state"}\n');
    await mkdir(join(root, "artifacts", "round-1"), { recursive: true });
    await writeFile(join(root, "artifacts", "round-1", "real.log"), "test output\n");
  });
  afterEach(async () => {
    await client?.close();
    await session.dispose();
    await cleanup();
  });

  /** What an agent's file.write of artifacts/index.json could say. */
  async function plantIndex(paths: string[]): Promise<void> {
    const entry = (path: string) => ({ path, kind: "log", round: 1, run: "r", created: "2025-01-01T00:00:00Z" });
    await writeFile(join(root, "artifacts", "index.json"), JSON.stringify({ version: 1, artifacts: paths.map(entry) }));
  }

  async function connect(): Promise<Client> {
    client = new Client({ name: "agent", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([createWorksiteMcpServer(session).connect(a), client.connect(b)]);
    return client;
  }

  async function served(c: Client, paths: string[]): Promise<string[]> {
    const got: string[] = [];
    for (const path of paths)
      if (await c.readResource({ uri: `worksite://artifacts/${path}` }).catch(() => undefined)) got.push(path);
    return got;
  }

  it("does not serve an index entry naming .worksite/, ../ or a worksite file outside artifacts/round-N/", async () => {
    await writeFile(join(root, "artifacts", "notes.md"), "not from the store\n");
    const planted = [
      ".worksite/audit-copy.jsonl",
      "../../../../etc/hostname",
      "docs/intro.md",
      "artifacts/notes.md",
      "artifacts/round-1/../../.worksite/audit-copy.jsonl",
      "artifacts/round-1/.hidden",
    ];
    await plantIndex([...planted, "artifacts/round-1/real.log"]);
    const c = await connect();
    expect(await served(c, [...planted, "artifacts/round-1/real.log"])).toEqual(["artifacts/round-1/real.log"]);
  });

  it("does not list what it will not serve", async () => {
    await plantIndex([".worksite/audit-copy.jsonl", "artifacts/round-1/real.log"]);
    const c = await connect();
    const uris = (await c.listResources()).resources
      .map((r) => r.uri)
      .filter((u) => u.startsWith("worksite://artifacts/"));
    expect(uris).toEqual(["worksite://artifacts/round-1/real.log"]);
  });

  it("does not follow a planted symlink, as the file or as the round folder", async () => {
    await symlink(join(root, ".worksite", "audit-copy.jsonl"), join(root, "artifacts", "round-1", "audit.log"));
    await symlink(join(root, "docs"), join(root, "artifacts", "round-2"));
    await plantIndex(["artifacts/round-1/audit.log", "artifacts/round-2/intro.md", "artifacts/round-1/real.log"]);
    const c = await connect();
    expect(
      await served(c, ["artifacts/round-1/audit.log", "artifacts/round-2/intro.md", "artifacts/round-1/real.log"]),
    ).toEqual(["artifacts/round-1/real.log"]);
  });

  it("does not serve a store-shaped path the index does not list", async () => {
    await plantIndex([]);
    const c = await connect();
    expect(await served(c, ["artifacts/round-1/real.log"])).toEqual([]);
  });
});

describe("a screenshot written in the background (in-memory transport)", () => {
  // Big enough that its bytes are still being written when the tool's result reaches the client.
  const picture = Buffer.alloc(32 * 1024 * 1024, 7);
  const camera = definePlugin({
    name: "camera",
    tools: {
      shoot: defineTool({
        description: "takes a picture",
        effect: "read",
        input: z.object({}),
        run: async (_i, ctx) => {
          const ref = await ctx.artifacts.write({ name: "view", kind: "screenshot", data: picture, background: true });
          return { content: `saved ${ref.path}`, artifacts: [ref] };
        },
      }),
    },
  });

  it("is listed and served whole to a client that asks right after the call returns", async () => {
    const { root, cleanup } = await makeWorksite();
    const session = await openSession({ root, actor: "mcp", plugins: [camera] });
    const client = new Client({ name: "agent", version: "1" });
    try {
      const [a, b] = InMemoryTransport.createLinkedPair();
      await Promise.all([createWorksiteMcpServer(session).connect(a), client.connect(b)]);
      const shot = await client.callTool({ name: "camera_shoot", arguments: {} });
      expect(shot.isError).toBeFalsy();
      const uri = "worksite://artifacts/round-0/view.png";
      const listed = await client.listResources();
      expect(listed.resources.map((r) => r.uri)).toContain(uri);
      const read = await client.readResource({ uri });
      expect(Buffer.from((read.contents[0] as { blob: string }).blob, "base64").equals(picture)).toBe(true);
    } finally {
      await client.close();
      await session.dispose();
      await cleanup();
    }
  });
});
