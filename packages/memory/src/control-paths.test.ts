import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGate, openAuditLog, parsePermissions, type GateOutcome } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { openMemory } from "./store.js";
import { tempDir } from "./test-helpers/fixtures.js";
import { createMemoryPlugin } from "./tools.js";

/*
 * Issue 11 item 2 for memory tools: with `memory.*` allowed and writes landing
 * straight on the main line, no memory tool writes the memory folder's .git,
 * and a memory folder a person placed under a control path (artifacts/, a
 * .git) is refused by the floor rather than written.
 */
const PERMISSIONS = "# Permissions\n\n## Allow\n- `memory.*`\n";

async function worksite(dir = "memory") {
  const root = await tempDir("worksite-memfloor-");
  await writeFile(join(root, "PERMISSIONS.md"), PERMISSIONS);
  await mkdir(join(root, dir), { recursive: true });
  const store = await openMemory({ dir: join(root, dir), git: "own" });
  const permissions = parsePermissions(PERMISSIONS, { file: join(root, "PERMISSIONS.md"), root });
  const gate = createGate({
    root,
    worksite: { permissions },
    plugins: [createMemoryPlugin({ dir, autoAccept: true })],
    audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "run-mem",
    round: 1,
  });
  return { root, store, gate };
}

const entry = (topic: string, name: string) => ({
  topic,
  name,
  description: "x",
  type: "fact",
  body: "[core]\n\tfsmonitor = touch /tmp/pwned\n",
});
const message = (o: GateOutcome) => ("message" in o ? o.message : "");

/** Every file under the memory folder's .git with its bytes, objects excepted (a refused write adds none anyway). */
async function gitState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(join(dir, ".git"), { recursive: true, withFileTypes: true })) {
    if (!name.isFile()) continue;
    const path = join(name.parentPath, name.name);
    out[path] = await readFile(path, "utf8").catch(() => "");
  }
  return out;
}

describe("memory tools and control paths", () => {
  it.each([
    ["memory.write", entry(".git", "config")],
    ["memory.write", entry("..", "config")],
    ["memory.write", { ...entry("x", "y"), topic: ".git/hooks", name: "pre-commit" }],
    ["memory.forget", { id: ".git/config", reason: "x" }],
    ["memory.forget", { id: "../.git/HEAD", reason: "x" }],
  ])("%s %j with memory.* allowed writes nothing in the memory folder's .git", async (tool, input) => {
    const { store, gate } = await worksite();
    const before = await gitState(store.dir);
    const outcome = await gate.call({ tool, input });
    expect(outcome.status).not.toBe("ok");
    expect(await gitState(store.dir)).toEqual(before);
  });

  it.each(["artifacts/memory", "src/.git/memory"])(
    "refuses, by the floor, every write to a memory folder placed at %s",
    async (dir) => {
      const { gate } = await worksite(dir);
      const outcome = await gate.call({ tool: "memory.write", input: entry("notes", "one") });
      expect(outcome.status).toBe("refused");
      expect(message(outcome)).toContain("the floor");
    },
  );

  it("still writes an ordinary entry", async () => {
    const { gate, store } = await worksite();
    expect((await gate.call({ tool: "memory.write", input: entry("notes", "one") })).status).toBe("ok");
    expect(await readFile(join(store.dir, "notes", "one.md"), "utf8")).toContain("fsmonitor");
  });
});
