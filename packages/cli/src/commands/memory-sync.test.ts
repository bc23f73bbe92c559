import { afterEach, describe, expect, it } from "vitest";
import { commitHandEdits, openMemory, syncMemory } from "@worksite/memory";
// The memory package's real git HTTP server (git http-backend) and entry fixture, shared rather than copied.
import { type GitServer, startGitServer } from "../../../memory/src/test-helpers/git-http-server.js";
import { entryText, put, tempDir } from "../../../memory/src/test-helpers/fixtures.js";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

let server: GitServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("worksite memory sync", () => {
  it("shows each entry a pull brought in and who wrote it", async () => {
    server = await startGitServer();
    const colleague = { name: "Colleague", email: "c@example.test" };
    const theirs = await openMemory({ dir: await tempDir("colleague-"), author: colleague });
    await put(theirs.dir, "ops/deploy-window.md", entryText("deploy-window", { source: "run:run-7" }));
    await commitHandEdits(theirs, "deploy window", colleague);
    await syncMemory(theirs, { url: server.url });

    const root = await tempWorksite(
      { "THREAD.md": `---\nmemory: { path: memory, remote: ${server.url} }\n---\n# t\n`, "memory/": "" },
      "cli-memory-sync-",
    );
    const synced = await runCli(["memory", "sync", "--no-push"], root, process.env);
    expect(synced.err).toBe("");
    expect(synced.code).toBe(0);
    expect(synced.out).toContain("memory sync: cloned");
    expect(synced.out).toContain(
      "  pulled  memory/ops/deploy-window.md — written by Colleague <c@example.test> (source: run:run-7)\n",
    );
  });
});
