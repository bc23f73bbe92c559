import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { openSession, type Session } from "@worksite/runtime";
import { createWorksiteMcpServer } from "./server.js";
import { makeWorksite } from "./testing/worksite-fixture.js";

// A fake part: client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("skill resources are the skills a round would see (in-memory transport)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let session: Session;
  let client: Client | undefined;

  beforeEach(async () => {
    ({ root, cleanup } = await makeWorksite());
    session = await openSession({ root, actor: "mcp" });
  });
  afterEach(async () => {
    await client?.close();
    await session.dispose();
    await cleanup();
  });

  async function connect(): Promise<Client> {
    client = new Client({ name: "agent", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([createWorksiteMcpServer(session).connect(a), client.connect(b)]);
    return client;
  }

  it("serves a skill whose description is a folded `>-` block with its real description", async () => {
    await mkdir(join(root, "skills", "review-pr"), { recursive: true });
    await writeFile(
      join(root, "skills", "review-pr", "SKILL.md"),
      "---\nname: review-pr\ndescription: >-\n  Review a pull request\n  against the style guide\n---\n\n# Review a PR\n",
    );
    const { resources } = await (await connect()).listResources();
    const skill = resources.find((r) => r.uri === "worksite://skills/review-pr");
    expect(skill?.description).toBe("Review a pull request against the style guide");
  });

  it("serves a skill from an installed skill package, readable by name", async () => {
    const pkg = join(root, "node_modules", "worksite-skill-lint-css");
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "worksite-skill-lint-css",
        version: "1.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
      }),
    );
    await writeFile(
      join(pkg, "SKILL.md"),
      "---\nname: lint-css\ndescription: Lint the stylesheets\n---\n\n# Lint CSS\n",
    );
    const c = await connect();
    const { resources } = await c.listResources();
    expect(resources.find((r) => r.uri === "worksite://skills/lint-css")?.description).toBe("Lint the stylesheets");
    const read = await c.readResource({ uri: "worksite://skills/lint-css" });
    expect((read.contents[0] as { text: string }).text).toContain("# Lint CSS");
  });
});
