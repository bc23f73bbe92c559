import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGate, openAuditLog, type PermissionsFile } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { writeCommit } from "./commit-tree.js";
import { renderIndex } from "./index-file.js";
import { acceptProposal, writeMemory } from "./proposals.js";
import { openMemory } from "./store.js";
import { alice, gitCli, tempDir } from "./test-helpers/fixtures.js";
import { createMemoryPlugin } from "./tools.js";

const fact = { topic: "build", name: "node", description: "node version", body: "uses node 20", type: "fact" as const };

/** A worksite as `worksite init` leaves it: memory/ holds only .gitkeep and no repository yet. */
async function freshWorksite() {
  const root = await tempDir("worksite-");
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
  await mkdir(join(root, "memory"));
  await writeFile(join(root, "memory", ".gitkeep"), "");
  return { root, dir: join(root, "memory") };
}

describe("the first proposal in a fresh memory folder", () => {
  it("a write through the memory plugin can be accepted: entry and MEMORY.md on disk and committed, status clean", async () => {
    const { root, dir } = await freshWorksite();
    const permissions: PermissionsFile = {
      file: "PERMISSIONS.md",
      defaults: { read: "read-only", write: "draft", external: "confirm" },
      rules: [
        {
          tier: "allow",
          tool: "memory.write",
          text: "memory.write",
          source: { file: "PERMISSIONS.md", line: 3 },
          examples: { match: [], notMatch: [] },
        },
      ],
      notes: [],
    };
    const gate = createGate({
      root,
      worksite: { permissions },
      plugins: [createMemoryPlugin({ author: alice })],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "person:alice",
      run: "cli-1",
      round: 0,
    });
    const outcome = await gate.call({ tool: "memory.write", input: fact });
    expect(outcome.status).toBe("ok");

    // The start commit records only what the folder holds, so nothing reads as a staged deletion.
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect(gitCli(dir, "ls-tree", "-r", "--name-only", "main")).toBe(".gitkeep\nMEMORY.md\n");

    const store = await openMemory({ dir, author: alice });
    const accepted = await acceptProposal(store, "cli-1", alice);
    expect(accepted.files).toContain("build/node.md");
    expect(await readFile(join(dir, "build/node.md"), "utf8")).toContain("uses node 20");
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toContain("- [node](build/node.md) — node version");
    expect(gitCli(dir, "ls-tree", "-r", "--name-only", "main")).toBe(".gitkeep\nMEMORY.md\nbuild/node.md\n");
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect(gitCli(dir, "log", "--topo-order", "--format=%s", "main")).toBe(
      "memory: accept proposal of run cli-1\nmemory: write build/node.md\nmemory: start\n",
    );
  });

  it("a MEMORY.md already in the folder is recorded as it is, not overwritten", async () => {
    const { dir } = await freshWorksite();
    await writeFile(join(dir, "MEMORY.md"), "# Memory\n\nWritten by hand.\n");
    const store = await openMemory({ dir, author: alice });
    await writeMemory(store, fact, { run: "r1", actor: "agent" });
    expect(gitCli(dir, "show", "main:MEMORY.md")).toBe("# Memory\n\nWritten by hand.\n");
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
  });

  it("a folder whose start commit never reached the disk (made by an earlier version) still accepts", async () => {
    const { dir } = await freshWorksite();
    const store = await openMemory({ dir, author: alice });
    // What the earlier version did: MEMORY.md in the start commit only, not in the folder.
    await writeCommit(store, {
      ref: "refs/heads/main",
      changes: new Map([["MEMORY.md", renderIndex([])]]),
      message: "memory: start",
      author: alice,
    });
    expect(existsSync(join(dir, "MEMORY.md"))).toBe(false);
    await writeMemory(store, fact, { run: "r2", actor: "agent" });
    await acceptProposal(store, "r2", alice);
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toContain("build/node.md");
    expect(await readFile(join(dir, "build/node.md"), "utf8")).toContain("uses node 20");
    expect(gitCli(dir, "status", "--porcelain")).toBe("?? .gitkeep\n");
  });
});
