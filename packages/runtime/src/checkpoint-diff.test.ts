import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointDiff } from "./checkpoint.js";
import { removeWorksites, runTwoRoundThread } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

describe("a round's changes as a diff (what the panel's review shows)", () => {
  it("round 2 against round 1 shows exactly round 2's edit, and leaves out the contract files and the work tree now", async () => {
    const { root } = await runTwoRoundThread();
    // Edited after the last round: not part of any round's changes.
    await writeFile(join(root, "src/a.txt"), "edited later by hand");
    const diff = await checkpointDiff(root, 1, 2);
    expect(diff).toContain("+++ b/src/a.txt");
    expect(diff).toContain("+round two");
    expect(diff).not.toContain("edited later by hand");
    expect(diff).not.toMatch(/b\/(THREAD|GOAL|PERMISSIONS)\.md/);
    expect(await checkpointDiff(root, 1, 99)).toBe("");
  });
});
