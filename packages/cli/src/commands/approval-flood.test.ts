import { describe, expect, it } from "vitest";
import { tempWorksite } from "../test-support/cli-harness.js";
import { cliAsAlice as cli } from "../test-support/gate-worksite.js";

/*
 * Issue 20 item 5, as a person meets it: a run whose agent files one real
 * request and then floods the queue stops filing at the cap, pauses with a
 * message that says why and what to do, and the real request is on the first
 * screen of `worksite approvals`; `worksite deny --run` clears the flood.
 */
const FLOOD = 30;
const CAP = 8;

function goal(): string {
  const steps = [
    '  - tool: shell.run\n    input: { command: "npm publish" }',
    ...Array.from(
      { length: FLOOD },
      (_, i) => `  - tool: file.write\n    input: { path: "src/f${i}.txt", content: "${i}" }`,
    ),
  ];
  return `---\nverify: []\npause: { pendingApprovals: ${CAP} }\nsteps:\n${steps.join("\n")}\n---\n## Goal\nPublish.\n`;
}

describe("a run that files more approvals than the cap", () => {
  it("pauses, and the first real approval is on the first screen of `worksite approvals`", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\n---\n# Flood\n",
        "GOAL.md": goal(),
        "PERMISSIONS.md":
          "# Permissions\n\n## Requires confirmation\n- `shell.run(npm publish)`\n- `file.write(src/**)`\n",
      },
      "worksite-flood-",
    );
    const run = await cli(root, "run", "--rounds", "1");
    expect(run.out + run.err).toContain(
      `the most one run may ask for (GOAL.md \`pause: { pendingApprovals: ${CAP} }\`)`,
    );

    const listed = await cli(root, "approvals");
    const firstScreen = listed.out.split("\n").slice(0, 24).join("\n");
    expect(firstScreen).toMatch(/^1 call|^\d+ calls wait for a person/);
    expect(firstScreen).toMatch(/shell\.run \(1\)\n {2}ap_[0-9a-f]{10} {2}pending +\$ npm publish/);
    expect((listed.out.match(/ap_[0-9a-f]{10} {2}pending/g) ?? []).length).toBe(CAP);

    const status = await cli(root, "status", "--json");
    expect(JSON.parse(status.out)).toMatchObject({ state: "paused" });

    const runId = /deny --run (\S+)/.exec(listed.out)?.[1];
    expect(runId).toBeDefined();
    const denied = await cli(root, "deny", "--run", runId!, "--reason", "flood");
    expect(denied).toMatchObject({ code: 0, out: expect.stringContaining(`denied ${CAP} calls of ${runId}`) });
    expect((await cli(root, "approvals")).out).toBe("nothing waits for a person, and no grants are in force\n");
  }, 60_000);
});
