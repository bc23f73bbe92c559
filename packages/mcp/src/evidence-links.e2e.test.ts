import { link, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cliBin, makeWorksite } from "./testing/worksite-fixture.js";
import { tempDir } from "@worksite/test-support";

/*
 * Issue 21 item 7: what `worksite mcp` serves as the worksite's files and evidence must be the
 * worksite's own. A symlinked PROGRESS.md and a hard link to a file outside the worksite (which
 * shares that file's inode, so no symlink check sees it) are refused; plain files are served.
 * A real `worksite mcp` process over stdio, with the SDK's own client.
 */
describe("worksite mcp refuses linked evidence", () => {
  let root: string;
  let outside: string;
  let cleanup: () => Promise<void>;
  let client: Client;

  beforeAll(async () => {
    ({ root, cleanup } = await makeWorksite());
    outside = await tempDir("worksite-outside-");
    await writeFile(join(outside, "secret.txt"), "the person's private notes\n");
    await writeFile(join(outside, "notes.md"), "# Not this worksite's progress\n");
    await mkdir(join(root, "artifacts", "round-1"), { recursive: true });
    await writeFile(join(root, "artifacts", "round-1", "real.log"), "test output\n");
    // Hard links made as an agent's shell could: same disk (the temp folder), no symlink anywhere.
    await link(join(outside, "secret.txt"), join(root, "artifacts", "round-1", "linked.log"));
    await link(join(root, "artifacts", "round-1", "real.log"), join(root, "artifacts", "round-1", "twin.log"));
    await symlink(join(outside, "notes.md"), join(root, "PROGRESS.md"));
    const entry = (path: string) => ({ path, kind: "log", round: 1, run: "r", created: "2025-01-01T00:00:00Z" });
    await writeFile(
      join(root, "artifacts", "index.json"),
      JSON.stringify({
        version: 1,
        artifacts: ["real.log", "linked.log", "twin.log"].map((n) => entry(`artifacts/round-1/${n}`)),
      }),
    );
    client = new Client({ name: "evidence-test-client", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [cliBin, "mcp", "-w", root], stderr: "pipe" }),
    );
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await cleanup?.();
    await rm(outside, { recursive: true, force: true });
  });

  const read = (uri: string) => client.readResource({ uri });

  it("refuses a PROGRESS.md that is a symlink to a file outside the worksite, and serves THREAD.md", async () => {
    await expect(read("worksite://files/PROGRESS.md")).rejects.toThrow(
      /PROGRESS\.md is not served: PROGRESS\.md is a symbolic link/,
    );
    const thread = await read("worksite://files/THREAD.md");
    expect((thread.contents[0] as { text: string }).text).toContain("# MCP test thread");
  });

  it("refuses an artifact hard-linked to a file outside the worksite, and one with a second link inside it", async () => {
    await expect(read("worksite://artifacts/artifacts/round-1/linked.log")).rejects.toThrow(
      /artifacts\/round-1\/linked\.log is not served: .*has 2 hard links/,
    );
    await expect(read("worksite://artifacts/artifacts/round-1/twin.log")).rejects.toThrow(/has 2 hard links/);
  });

  it("serves an artifact the store could have written: a plain file with one link", async () => {
    await rm(join(root, "artifacts", "round-1", "twin.log"));
    const real = await read("worksite://artifacts/artifacts/round-1/real.log");
    expect(real.contents).toEqual([expect.objectContaining({ mimeType: "text/plain", text: "test output\n" })]);
  });
});
