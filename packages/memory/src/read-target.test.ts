import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGate, openAuditLog, type PermissionsFile, type Rule } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { openMemory } from "./store.js";
import { entryText, put, tempDir } from "./test-helpers/fixtures.js";
import { createMemoryPlugin } from "./tools.js";

/*
 * memory.read's target is `memory/<id>.md`. A person's `worksite memory` may
 * name an entry by its bare name, but the tool takes only topic/name, so the
 * policy always decides on the file that is read.
 */
describe("memory.read decides on the path it reads", () => {
  it("a forbidden memory folder cannot be read by naming the entry without its folder", async () => {
    const root = await tempDir("worksite-review-");
    await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
    await mkdir(join(root, "memory"));
    const store = await openMemory({ dir: join(root, "memory"), git: "own" });
    await put(
      store.dir,
      "private/secret-plan.md",
      entryText("secret-plan", { description: "the private plan" }, "Acquire the competitor on 2025-09-01."),
    );
    const forbid: Rule = {
      tier: "forbidden",
      tool: "memory.read",
      specifier: "memory/private/**",
      text: "memory.read(memory/private/**)",
      source: { file: "PERMISSIONS.md", line: 3 },
      examples: { match: [], notMatch: [] },
    };
    const permissions: PermissionsFile = {
      file: "PERMISSIONS.md",
      defaults: { read: "allow", write: "draft", external: "confirm" },
      rules: [forbid],
      notes: [],
    };
    const gate = createGate({
      root,
      worksite: { permissions },
      plugins: [createMemoryPlugin()],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-r",
      round: 1,
    });

    // The full id is refused, as the rule says.
    const direct = await gate.call({ tool: "memory.read", input: { id: "private/secret-plan" } });
    expect(direct.status).toBe("refused");

    // The bare name reads the same entry: the target the policy saw was memory/secret-plan.md.
    const sneaky = await gate.call({ tool: "memory.read", input: { id: "secret-plan" } });
    expect(sneaky.status, JSON.stringify(sneaky).slice(0, 400)).not.toBe("ok");
  });
});
