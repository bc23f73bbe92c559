import { afterAll, describe, expect, it } from "vitest";
import { runThread } from "./run.js";
import { goal, makeWorksite, readProgress, removeWorksites } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

const MiB = 1024 * 1024;
const head = (name: string) =>
  `---\nname: ${name}\ndescription: A skill with a long done-when list\n---\n\n# ${name}\n\n## Done when\n`;

describe("a run with large skills in skills/", () => {
  it("runs its round with a SKILL.md of 250,000 list lines, and names one past the limit as a problem", async () => {
    const long = head("long") + "- a\n".repeat(Math.floor((MiB - 200) / 4));
    const root = await makeWorksite({
      goal: goal("verify: []"),
      files: { "skills/long/SKILL.md": long, "skills/huge/SKILL.md": head("huge") + "- a\n".repeat(300_000) },
    });
    const result = await runThread({ root, rounds: 1 });
    expect(result.rounds).toEqual([1]);
    const progress = await readProgress(root);
    expect(progress).toContain("## Round 1 — ");
    expect(progress).toMatch(
      /^- \S*skills\/huge\/SKILL\.md: skills\/huge\/SKILL\.md is 1\.1 MiB; the limit is 1 MiB, so it was not read$/m,
    );
    expect(progress).not.toMatch(/skills\/long\/SKILL\.md:/);
  }, 60_000);
});
