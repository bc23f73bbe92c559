import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { commitHandEdits } from "./hand-edits.js";
import { openMemory } from "./store.js";
import { syncMemory } from "./sync.js";
import { type GitServer, startGitServer } from "./test-helpers/git-http-server.js";
import { alice, bob, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

let server: GitServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = { WORKSITE_GIT_USERNAME: "ann", WORKSITE_GIT_PASSWORD: "s3cret-pass" };

/** A remote with two entries, and two machines (Alice's and Bob's) that have both synced it. */
async function twoClones() {
  server = await startGitServer({ username: env.WORKSITE_GIT_USERNAME, password: env.WORKSITE_GIT_PASSWORD });
  const a = await openMemory({ dir: await tempDir("alice-"), author: alice, now: fixedNow });
  await put(a.dir, "tooling/use-pnpm.md", entryText("use-pnpm", {}, "Use pnpm."));
  await put(a.dir, "tooling/node-version.md", entryText("node-version", {}, "Node 20."));
  await commitHandEdits(a, "first entries", alice);
  expect(await syncMemory(a, { url: server.url, env })).toMatchObject({ pushed: true });
  const b = await openMemory({ dir: await tempDir("bob-"), author: bob, now: fixedNow });
  expect(await syncMemory(b, { url: server.url, env })).toMatchObject({ outcome: "cloned" });
  return { a, b, server };
}

describe("memory sync over a real git HTTP server", () => {
  it("concurrent edits of different entries both survive, on both machines and on the server", async () => {
    const { a, b, server } = await twoClones();
    await writeFile(join(a.dir, "tooling/use-pnpm.md"), entryText("use-pnpm", {}, "Use pnpm 10."));
    await commitHandEdits(a, "pnpm 10", alice);
    await writeFile(join(b.dir, "tooling/node-version.md"), entryText("node-version", {}, "Node 22."));
    await commitHandEdits(b, "node 22", bob);

    await syncMemory(a, { env });
    const bResult = await syncMemory(b, { env });
    expect(bResult).toMatchObject({ outcome: "merged", conflicted: [], pushed: true });
    expect(bResult.pulled).toContain("tooling/use-pnpm.md");
    const aResult = await syncMemory(a, { env });
    expect(aResult.outcome).toBe("fast-forward");

    for (const dir of [a.dir, b.dir]) {
      expect(await readFile(join(dir, "tooling/use-pnpm.md"), "utf8")).toContain("Use pnpm 10.");
      expect(await readFile(join(dir, "tooling/node-version.md"), "utf8")).toContain("Node 22.");
      expect(gitCli(dir, "status", "--porcelain")).toBe("");
    }
    expect(gitCli(server.bare, "show", "main:tooling/node-version.md")).toContain("Node 22.");
    expect(gitCli(server.bare, "show", "main:tooling/use-pnpm.md")).toContain("Use pnpm 10.");
  });

  it("the same entry edited on both sides: conflict reported, both versions kept, no conflict marker", async () => {
    const { a, b, server } = await twoClones();
    await writeFile(join(a.dir, "tooling/node-version.md"), entryText("node-version", {}, "Node 22 on CI."));
    await commitHandEdits(a, "alice: node 22", alice);
    await writeFile(join(b.dir, "tooling/node-version.md"), entryText("node-version", {}, "Node 20 until June."));
    await commitHandEdits(b, "bob: node 20", bob);

    await syncMemory(a, { env });
    const result = await syncMemory(b, { env });
    expect(result.conflicted).toEqual(["tooling/node-version.md"]);
    const text = await readFile(join(b.dir, "tooling/node-version.md"), "utf8");
    expect(text).toContain("status: conflicted");
    expect(text).toContain("Node 22 on CI.");
    expect(text).toContain("Node 20 until June.");
    expect(text).toMatch(
      /## Version from Bob \(this copy\)\n\nNode 20 until June\.\n\n## Version from origin\/main\n\nNode 22 on CI\./,
    );
    expect(text).not.toMatch(/^(<{7}|>{7}|={7})/m);
    // The merged entry is what the server holds now, and the audit lists it for review without blocking.
    expect(gitCli(server.bare, "show", "main:tooling/node-version.md")).toBe(text);
    const report = await auditMemory(b);
    expect(report.blocking).toBe(false);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ kind: "conflicted", file: "tooling/node-version.md" }),
    );
    expect(await readFile(join(b.dir, "MEMORY.md"), "utf8")).toContain("(conflicted: needs review)");
  });

  it("takes credentials from the environment only, and never writes them to disk", async () => {
    const { a, server } = await twoClones();
    expect(server.seenAuth).toContain(`Basic ${Buffer.from("ann:s3cret-pass").toString("base64")}`);
    const config = await readFile(join(a.gitdir, "config"), "utf8");
    expect(config).toContain(server.url);
    expect(config).not.toContain("s3cret-pass");
    const files = (await readdir(a.dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(await readFile(join(f.parentPath, f.name), "latin1")).not.toContain("s3cret-pass");
  });

  it("fails with a clear message when the environment has no credentials", async () => {
    const { a } = await twoClones();
    await expect(syncMemory(a, { env: {} })).rejects.toMatchObject({
      message: expect.stringContaining(`the memory remote ${server!.url} refused`),
      hint: expect.stringContaining("WORKSITE_GIT_TOKEN"),
    });
  });

  it("refuses a remote URL with credentials in it", async () => {
    const a = await openMemory({ dir: await tempDir(), author: alice });
    await expect(syncMemory(a, { url: "https://ann:pw@127.0.0.1/x.git", env })).rejects.toThrow(/holds credentials/);
  });
});
