import { formatDiagnostic, UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { parseSections } from "./sections.js";
import { renderSteps } from "./steps.js";

const body = [
  "", //                                  line 5 (the body starts after a 4-line frontmatter)
  "# Release helper", //                  6
  "", //                                  7
  "## When to use", //                    8
  "", //                                  9
  "- keywords: release notes, 发布说明", // 10
  "- files: CHANGELOG.md, packages/*/CHANGELOG.md", // 11
  "- events: schedule, pr-comment", //    12
  "- When a person asks what changed.", // 13
  "", //                                  14
  "## Steps", //                          15
  "", //                                  16
  "```yaml", //                           17
  "- id: read", //                        18
  "  tool: file.read", //                 19
  "  input: { path: CHANGELOG.md }", //   20
  "- tool: shell.run", //                 21
  '  input: { command: "git log {{since}}..HEAD" }', // 22
  "```", //                               23
  "", //                                  24
  "## Failure modes", //                  25
  "", //                                  26
  "- The tag is missing → list the tags and ask which one.", // 27
  "- **No changelog**: write from merges alone.", // 28
  "", //                                  29
  "## Done when", //                      30
  "- A draft exists.", //                 31
  "- [ ] The person approved it.", //     32
].join("\n");

describe("worksite body sections", () => {
  it("reads triggers, steps, failure modes and done-when from ordinary sections", () => {
    const s = parseSections(body, 5, "SKILL.md", { triggers: "changelog, file:.changeset/*.md, event:manual" });
    expect(s.triggers).toEqual({
      keywords: ["changelog", "release notes", "发布说明"],
      files: [".changeset/*.md", "CHANGELOG.md", "packages/*/CHANGELOG.md"],
      events: ["manual", "schedule", "pr-comment"],
    });
    expect(s.whenToUse?.line).toBe(8);
    expect(s.steps).toEqual([
      { id: "read", tool: "file.read", input: { path: "CHANGELOG.md" } },
      { tool: "shell.run", input: { command: "git log {{since}}..HEAD" } },
    ]);
    expect(s.stepsLine).toBe(18);
    expect(s.variables).toEqual(["since"]);
    expect(s.failureModes).toEqual([
      { symptom: "The tag is missing", action: "list the tags and ask which one.", line: 27 },
      { symptom: "No changelog", action: "write from merges alone.", line: 28 },
    ]);
    expect(s.doneWhen).toEqual(["A draft exists.", "The person approved it."]);
  });

  it("reads Chinese section headings", () => {
    const s = parseSections("## 何时使用\n- 关键词：部署，上线\n\n## 完成标准\n- 页面可以打开\n", 1, "SKILL.md");
    expect(s.triggers.keywords).toEqual(["部署", "上线"]);
    expect(s.doneWhen).toEqual(["页面可以打开"]);
  });

  it("ignores headings inside code blocks", () => {
    const s = parseSections("## Notes\n```sh\n## Steps\necho hi\n```\n", 1, "SKILL.md");
    expect(s.steps).toBeUndefined();
  });

  it("points a step without a tool at its line in SKILL.md", () => {
    const bad =
      "## Steps\n\n```yaml\n- tool: file.read\n  input: { path: a }\n- input: { path: b }\n  note: no tool here\n```\n";
    let error: unknown;
    try {
      parseSections(bad, 10, "skills/x/SKILL.md");
    } catch (e) {
      error = e;
    }
    expect(UserError.isUserError(error)).toBe(true);
    const lines = (error as UserError).diagnostics.map(formatDiagnostic);
    expect(lines).toEqual([expect.stringMatching(/^skills\/x\/SKILL\.md:15: error: step 2 tool: /)]);
  });

  it("points a malformed tool id at the tool: line", () => {
    const bad = "## Steps\n```yaml\n- tool: file.read\n- id: two\n  tool: Open Browser\n```\n";
    expect(() => parseSections(bad, 1, "SKILL.md")).toThrow(UserError);
    try {
      parseSections(bad, 1, "SKILL.md");
    } catch (e) {
      expect((e as UserError).diagnostics[0]).toMatchObject({
        line: 5,
        message: expect.stringContaining("step 2 tool"),
      });
    }
  });

  it("refuses a Steps section with no yaml block", () => {
    expect(() => parseSections("## Steps\n\n1. open the page\n", 20, "SKILL.md")).toThrow(
      /Steps section without steps/,
    );
  });

  it("fills placeholders, keeping a lone placeholder's type, and names every missing variable", () => {
    const steps = [
      {
        tool: "browser.open",
        input: { url: "{{url}}", timeout: "{{ms}}", label: "page {{url}}", body: "{{steps.read.content}}" },
      },
    ];
    expect(
      renderSteps(steps, { url: "http://localhost:3000/", ms: 500, steps: { read: { content: "text" } } }),
    ).toEqual([
      {
        tool: "browser.open",
        input: { url: "http://localhost:3000/", timeout: 500, label: "page http://localhost:3000/", body: "text" },
      },
    ]);
    expect(() => renderSteps(steps, {})).toThrow(/\{\{url\}\}, \{\{ms\}\}, \{\{steps\.read\.content\}\}/);
  });
});
