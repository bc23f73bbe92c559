import { describe, expect, it } from "vitest";
import { commitHandEdits } from "./hand-edits.js";
import { memoryAtRunStart } from "./run-start.js";
import { openMemory } from "./store.js";
import { alice, entryText, fakeGithubToken, fixedNow, put, tempDir } from "./test-helpers/fixtures.js";
import { startGitServer } from "./test-helpers/git-http-server.js";

describe("memory at the start of a run", () => {
  it("pulls, audits, and gives the agent only visible entries and an index without the hidden ones", async () => {
    const server = await startGitServer();
    try {
      const a = await openMemory({ dir: await tempDir(), author: alice, now: fixedNow });
      await put(a.dir, "tooling/use-pnpm.md", entryText("use-pnpm"));
      await commitHandEdits(a, "start", alice);
      const { syncMemory } = await import("./sync.js");
      await syncMemory(a, { url: server.url, env: {} });

      const b = await openMemory({ dir: await tempDir(), author: alice, now: fixedNow });
      await put(
        b.dir,
        "tooling/leak.md",
        entryText("leak", { description: "how to deploy" }, `token ${fakeGithubToken}`),
      );
      const start = await memoryAtRunStart(b, { run: "r1", remote: server.url, env: {} });
      expect(start.sync?.outcome).toBe("cloned");
      expect(start.entries.map((e) => e.id)).toEqual(["tooling/use-pnpm"]);
      expect(start.index).toContain("use-pnpm");
      expect(start.index).not.toContain("how to deploy");
      expect(start.report.blocking).toBe(true);
      expect(start.report.findings[0]).toMatchObject({ kind: "secret", file: "tooling/leak.md" });
    } finally {
      await server.close();
    }
  });

  it("goes on without sync when the remote cannot be reached, saying why", async () => {
    const a = await openMemory({ dir: await tempDir(), author: alice, now: fixedNow });
    const start = await memoryAtRunStart(a, { run: "r2", remote: "http://127.0.0.1:9/nothing.git", env: {} });
    expect(start.syncError).toBeTruthy();
    expect(start.report.blocking).toBe(false);
  });
});
