import { parseGoal } from "@worksite/core";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentTools } from "./agents/types.js";
import { makeWorksite, removeWorksites } from "./test-helpers/worksite.js";
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
    expect(await verifyArtifacts("artifacts/**/*.png", files, 1)).toMatchObject({ passed: true, checks: [{ passed: true, detail: "artifacts/round-1/home.png" }] });
    expect(await verifyArtifacts("artifacts/**/*.png", files, 2)).toMatchObject({ passed: false, checks: [{ passed: false, detail: "no file matches" }] });
    expect(await verifyArtifacts("./artifacts/round-*/*.png", files, 2)).toMatchObject({ passed: false });
  });

  it("counts this round's evidence even when earlier rounds left some too", async () => {
    const files = { "artifacts/round-1/home.png": "png", "artifacts/round-2/cart.png": "png" };
    expect(await verifyArtifacts("artifacts/**/*.png", files, 2)).toMatchObject({ passed: true, checks: [{ detail: "artifacts/round-2/cart.png" }] });
  });

  it("still finds files outside artifacts/ from any time", async () => {
    expect(await verifyArtifacts("docs/*.md", { "docs/guide.md": "# Guide" }, 3)).toMatchObject({ passed: true, checks: [{ detail: "docs/guide.md" }] });
  });
});
