import type { Logger, ToolContext } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { createSkillsPlugin } from "./plugin.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";

function context(worksite: string): ToolContext {
  const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
  return {
    worksite,
    run: "test",
    round: 1,
    actor: "agent",
    artifacts: {
      write: async () => {
        throw new Error("no artifacts here");
      },
      list: async () => [],
    },
    signal: new AbortController().signal,
    log,
    untrusted: (text) => text,
    redact: (text) => text,
    check: async () => ({ tier: "allow" }) as never,
  };
}

describe("skill.list and skill.read", () => {
  it("are read-only tools that list skills and read a body or a reference", async () => {
    const worksite = await tempDir();
    await writeTree(worksite, {
      "skills/deploy/SKILL.md": skillMd(
        "name: deploy\ndescription: Deploy the app.",
        "\n## Steps\n```yaml\n- tool: shell.run\n  input: { command: make deploy }\n```\n",
      ),
      "skills/deploy/references/hosts.md": "prod: example\n",
      "skills/lint/SKILL.md": skillMd("name: lint\ndescription: Lint the code."),
    });
    const plugin = createSkillsPlugin();
    expect(plugin.name).toBe("skill");
    expect(plugin.tools.list.effect).toBe("read");
    expect(plugin.tools.read.effect).toBe("read");

    const ctx = context(worksite);
    const listed = await plugin.tools.list.run(plugin.tools.list.input.parse({}), ctx);
    expect(listed.content).toBe("- deploy: Deploy the app.\n- lint: Lint the code.");
    const filtered = await plugin.tools.list.run({ query: "LINT" }, ctx);
    expect(filtered.content).toBe("- lint: Lint the code.");

    const body = await plugin.tools.read.run({ name: "deploy" }, ctx);
    expect(body.content).toContain("make deploy");
    expect(body.data).toMatchObject({ steps: [{ tool: "shell.run" }], files: { references: ["references/hosts.md"] } });
    expect((await plugin.tools.read.run({ name: "deploy", file: "references/hosts.md" }, ctx)).content).toBe(
      "prod: example\n",
    );
    await expect(plugin.tools.read.run({ name: "nope" }, ctx)).rejects.toThrow(/no skill named nope/);
  });
});
