import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGate, openAuditLog, type PermissionsFile, type Rule, type Tier } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { openMemory } from "./store.js";
import { entryText, fakeGithubToken, gitCli, put, tempDir } from "./test-helpers/fixtures.js";
import { createMemoryPlugin } from "./tools.js";

function rule(tier: Tier, tool: string, line: number): Rule {
  return { tier, tool, text: tool, source: { file: "PERMISSIONS.md", line }, examples: { match: [], notMatch: [] } };
}

/** A worksite whose memory/ is its own repository, behind the real gate. Writes default to draft, as PERMISSIONS.md should say. */
async function worksite(rules: Rule[] = []) {
  const root = await tempDir("worksite-");
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
  await mkdir(join(root, "memory"));
  const store = await openMemory({ dir: join(root, "memory"), git: "own" });
  await put(store.dir, "tooling/use-pnpm.md", entryText("use-pnpm", { description: "install with pnpm only" }));
  await put(
    store.dir,
    "tooling/publish.md",
    entryText("publish", { description: "how to publish" }, `Publish with ${fakeGithubToken}`),
  );
  const permissions: PermissionsFile = {
    file: "PERMISSIONS.md",
    defaults: { read: "read-only", write: "draft", external: "confirm" },
    rules,
    notes: [],
  };
  const gate = createGate({
    root,
    worksite: { permissions },
    plugins: [createMemoryPlugin()],
    audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "run-42",
    round: 1,
  });
  return { root, store, gate };
}

const proposal = {
  topic: "tooling",
  name: "ci-timeout",
  description: "CI stops a run after 90 minutes",
  type: "fact",
  body: "Keep CI under 90 minutes.",
};

describe("the memory plugin behind the gate", () => {
  it("memory.search and memory.read run at read-only; the secret-bearing entry never reaches the agent", async () => {
    const { gate } = await worksite();
    const found = await gate.call({ tool: "memory.search", input: { text: "pnpm" } });
    expect(found.status).toBe("ok");
    if (found.status === "ok") expect(found.result.content).toContain("tooling/use-pnpm [fact] install with pnpm only");
    const all = await gate.call({ tool: "memory.search", input: {} });
    if (all.status !== "ok") throw new Error(all.status);
    expect(all.result.content).not.toContain("publish");
    const read = await gate.call({ tool: "memory.read", input: { id: "tooling/publish" } });
    expect(read.status).toBe("error");
    expect(JSON.stringify(read)).not.toContain(fakeGithubToken);
  });

  it("memory.write at the default draft tier becomes a draft: no commit, no branch", async () => {
    const { gate, store } = await worksite();
    const outcome = await gate.call({ tool: "memory.write", input: proposal });
    expect(outcome.status).toBe("drafted");
    expect(gitCli(store.dir, "branch", "--list", "--all")).toBe("");
  });

  it("an allowed memory.write lands on the run's proposal branch, named in the commit", async () => {
    const { gate, store } = await worksite([rule("allow", "memory.write", 3)]);
    const outcome = await gate.call({ tool: "memory.write", input: proposal });
    expect(outcome.status).toBe("ok");
    expect(gitCli(store.dir, "ls-tree", "-r", "--name-only", "main")).not.toContain("ci-timeout");
    expect(gitCli(store.dir, "ls-tree", "-r", "--name-only", "memory/proposals/run-42")).toContain(
      "tooling/ci-timeout.md",
    );
    expect(gitCli(store.dir, "log", "-1", "--format=%B", "memory/proposals/run-42")).toContain(
      "run: run-42\nauthor: agent",
    );
  });
});
