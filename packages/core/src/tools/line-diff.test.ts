import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./line-diff.js";

describe("line diff for drafted writes", () => {
  it("shows changed lines with context in unified form", () => {
    const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n") + "\n";
    const after = before.replace("e\n", "E\n");
    expect(unifiedDiff(before, after, "x.txt")).toBe(
      ["--- a/x.txt", "+++ b/x.txt", "@@ -2,7 +2,7 @@", " b", " c", " d", "-e", "+E", " f", " g", " h", ""].join("\n"),
    );
  });

  it("a new file diffs from /dev/null", () => {
    expect(unifiedDiff("", "hi\n", "new.md", false)).toBe("--- /dev/null\n+++ b/new.md\n@@ -0,0 +1,1 @@\n+hi\n");
  });
});
