import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./line-diff.js";

describe("unified diff for drafted writes and memory proposals", () => {
  it("shows changed lines with context in unified form", () => {
    const before = `${["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n")}\n`;
    const after = before.replace("e\n", "E\n");
    expect(unifiedDiff("x.txt", before, after)).toBe(
      [
        "diff --git a/x.txt b/x.txt",
        "--- a/x.txt",
        "+++ b/x.txt",
        "@@ -2,7 +2,7 @@",
        " b",
        " c",
        " d",
        "-e",
        "+E",
        " f",
        " g",
        " h",
        "",
      ].join("\n"),
    );
  });

  it("a deleted file diffs to /dev/null", () => {
    expect(unifiedDiff("old.md", "bye\n", null)).toBe(
      "diff --git a/old.md b/old.md\ndeleted file mode 100644\n--- a/old.md\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-bye\n",
    );
  });

  it("a new file diffs from /dev/null", () => {
    expect(unifiedDiff("new.md", null, "hi\n")).toBe(
      "diff --git a/new.md b/new.md\nnew file mode 100644\n--- /dev/null\n+++ b/new.md\n@@ -0,0 +1,1 @@\n+hi\n",
    );
  });
});
