import { describe, expect, it } from "vitest";
import { mergeEntryText } from "./merge-driver.js";
import { entryText } from "./test-helpers/fixtures.js";

const labels = { oursLabel: "here", theirsLabel: "there" };

describe("entry merge driver", () => {
  it("merges frontmatter changes from both sides when the body changed on one", () => {
    const base = entryText("x", { tags: ["a"] }, "Body.");
    const ours = entryText("x", { tags: ["a", "b"], updated: "2025-06-02" }, "Body.");
    const theirs = entryText(
      "x",
      { tags: ["a", "c"], updated: "2025-06-03", description: "new words" },
      "Better body.",
    );
    const r = mergeEntryText({ base, ours, theirs, ...labels });
    expect(r.conflicted).toBe(false);
    expect(r.text).toBe(
      entryText("x", { tags: ["a", "b", "c"], updated: "2025-06-03", description: "new words" }, "Better body."),
    );
  });

  it("keeps both bodies side by side and marks the entry conflicted", () => {
    const base = entryText("x", {}, "One.");
    const r = mergeEntryText({
      base,
      ours: entryText("x", {}, "Two."),
      theirs: entryText("x", {}, "Three."),
      ...labels,
    });
    expect(r.conflicted).toBe(true);
    expect(r.text).toContain("status: conflicted");
    expect(r.text).toContain("## Version from here\n\nTwo.\n\n## Version from there\n\nThree.\n");
  });

  it("keeps both sides of a clashing description as well", () => {
    const base = entryText("x", {}, "One.");
    const r = mergeEntryText({
      base,
      ours: entryText("x", { description: "left" }, "One."),
      theirs: entryText("x", { description: "right" }, "One."),
      ...labels,
    });
    expect(r.conflicted).toBe(true);
    expect(r.text).toContain('- description: "left"');
    expect(r.text).toContain('- description: "right"');
  });

  it("keeps both versions of an entry both sides created", () => {
    const r = mergeEntryText({
      base: "",
      ours: entryText("x", {}, "Mine."),
      theirs: entryText("x", {}, "Yours."),
      ...labels,
    });
    expect(r.conflicted).toBe(true);
    expect(r.text).toMatch(/Mine\.[\s\S]*Yours\./);
  });

  it("keeps both sides of a file that does not parse, as plain text", () => {
    const r = mergeEntryText({ base: "a\n", ours: "b\n", theirs: "c\n", ...labels });
    expect(r.text).toBe(
      "Both sides changed this entry; keep what is true, delete the rest and set status: active.\n\n## Version from here\n\nb\n\n## Version from there\n\nc\n",
    );
  });
});
