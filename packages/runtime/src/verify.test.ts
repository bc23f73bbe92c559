import { parseGoal } from "@worksite/core";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentTools } from "./agents/types.js";
import { readRoundReport } from "./report.js";
import { type RunEvent, runThread } from "./run.js";
import { goal, makeWorksite, permissions, readState, removeWorksites } from "./test-helpers/worksite.js";
import { verifyGoal } from "./verify.js";

afterAll(removeWorksites);

/** Artifact checks only look at files; a command check would need real tools, and these goals have none. */
const noTools: AgentTools = {
  list: () => [],
  call: () => Promise.reject(new Error("no tool call expected")),
};

async function verifyArtifacts(glob: string, files: Record<string, string>, round: number) {
  const root = await makeWorksite({ goal: "# Goal\nEvidence.\n", files });
  const goal = parseGoal(`---\nverify:\n  - artifact: "${glob}"\n---\n# Goal\nEvidence.\n`, { file: "GOAL.md" });
  return verifyGoal(goal, root, round, noTools, new AbortController().signal);
}

describe("checking evidence under artifacts/", () => {
  it("does not count an earlier round's screenshot for this round", async () => {
    const files = { "artifacts/round-1/home.png": "png" };
    expect(await verifyArtifacts("artifacts/**/*.png", files, 1)).toMatchObject({
      passed: true,
      checks: [{ passed: true, detail: "artifacts/round-1/home.png" }],
    });
    expect(await verifyArtifacts("artifacts/**/*.png", files, 2)).toMatchObject({
      passed: false,
      checks: [{ passed: false, detail: "no file matches" }],
    });
    expect(await verifyArtifacts("./artifacts/round-*/*.png", files, 2)).toMatchObject({ passed: false });
  });

  it("counts this round's evidence even when earlier rounds left some too", async () => {
    const files = { "artifacts/round-1/home.png": "png", "artifacts/round-2/cart.png": "png" };
    expect(await verifyArtifacts("artifacts/**/*.png", files, 2)).toMatchObject({
      passed: true,
      checks: [{ detail: "artifacts/round-2/cart.png" }],
    });
  });

  it("matches a glob without a slash at any depth, as a skill trigger does: `*.png` finds artifacts/round-1/x.png", async () => {
    const files = { "artifacts/round-1/x.png": "png" };
    expect(await verifyArtifacts("*.png", files, 1)).toMatchObject({
      passed: true,
      checks: [{ passed: true, detail: "artifacts/round-1/x.png" }],
    });
    expect(await verifyArtifacts("artifacts/*.png", files, 1)).toMatchObject({ passed: false });
  });

  it("still finds files outside artifacts/ from any time", async () => {
    expect(await verifyArtifacts("docs/*.md", { "docs/guide.md": "# Guide" }, 3)).toMatchObject({
      passed: true,
      checks: [{ detail: "docs/guide.md" }],
    });
  });
});

describe("a verify command that waits for a person's approval", () => {
  it("is neither passed nor failed: the round waits, and the report lists it under Needs a person, not Blockers", async () => {
    const root = await makeWorksite({
      goal: goal('verify: ["ls -la"]'),
      permissions: permissions({ Allow: ["file.read"], Confirm: ["shell.run(ls)"] }),
    });
    const events: RunEvent[] = [];
    const result = await runThread({ root, onEvent: (e) => events.push(e) });
    expect(result.state).toBe("waiting");
    expect(result.reason).not.toContain("verification failed");
    expect(events.find((e) => e.type === "verified")).toEqual({
      type: "verified",
      round: 1,
      passed: false,
      waiting: true,
      failed: false,
    });
    expect((await readState(root)).failure).toBeUndefined();

    const report = (await readRoundReport(root, 1))!;
    const section = (name: string) => report.split(`### ${name}\n`)[1]!.split("\n\n")[0]!;
    expect(section("Blockers")).toBe("- none");
    expect(section("Needs a person")).toMatch(
      /^- verification `ls -la` waits for a person's approval\n- approve or deny ap_\w+: shell\.run ls -la — worksite approve ap_\w+$/,
    );
    expect(section("Verification")).toBe("- ⏸ `ls -la` — waits for a person's approval (see Needs a person)");
  });

  it("still counts a check that ran and failed beside one that waits", async () => {
    const root = await makeWorksite({
      goal: goal('verify: ["node fail.js", "ls -la"]'),
      permissions: permissions({ Allow: ["file.read", "shell.run(node)"], Confirm: ["shell.run(ls)"] }),
      files: { "fail.js": "process.exit(1);\n" },
    });
    const events: RunEvent[] = [];
    await runThread({ root, onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === "verified")).toMatchObject({ passed: false, waiting: true, failed: true });
    expect((await readState(root)).failure?.summary).toBe("node fail.js: exit 1");
    const report = (await readRoundReport(root, 1))!;
    expect(report.split("### Blockers\n")[1]!.split("\n\n")[0]).toBe("- node fail.js: exit 1");
  });
});
