import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../errors.js";
import { parseGoal, safeParseGoal } from "./parse-goal.js";

const opts = { file: "GOAL.md" };
function errorsOf(text: string): string[] {
  const result = safeParseGoal(text, opts);
  if (result.ok) throw new Error("expected errors, got none");
  return result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
}

describe("GOAL.md", () => {
  it("reads a /goal first line with a numbered Requirements list under it", () => {
    const g = parseGoal(
      "/goal Make checkout work on mobile\n\nRequirements:\n1. The pay button is visible\n2. `pnpm test` passes\n",
      opts,
    );
    expect(g.goal).toBe("Make checkout work on mobile");
    expect(g.goalSource).toEqual({ file: "GOAL.md", line: 1, column: 1 });
    expect(g.requirements.map((r) => [r.text, r.source.line])).toEqual([
      ["The pay button is visible", 4],
      ["`pnpm test` passes", 5],
    ]);
  });

  it("turns commands and artifact globs into enforced checks and keeps the rest as manual checks", () => {
    const g = parseGoal(
      [
        "## Goal",
        "Ship it.",
        "## Verify",
        "- run pytest and cargo test",
        "- `go test ./...` is green",
        "- screenshots of every page go into artifacts/round-<n>/",
        "- the copy reads well",
        "```",
        "$ make test",
        "```",
      ].join("\n"),
      opts,
    );
    expect(
      g.verify.map((v) =>
        v.kind === "command" ? v.command : v.kind === "artifact" ? `artifact ${v.glob}` : `manual ${v.text}`,
      ),
    ).toEqual([
      "pytest",
      "cargo test",
      "go test ./...",
      "artifact artifacts/round-*/**/*.png",
      "manual the copy reads well",
      "make test",
    ]);
  });

  it("reads verify, pause and protect settings from frontmatter, which win over prose", () => {
    const g = parseGoal(
      "---\nverify:\n  - npm test\n  - artifact: artifacts/**/*.png\npause: { repeatedFailure: 5, maxRounds: 10, budget: 2h }\nprotect: migrations/**\n---\n## Goal\nGreen.\n## Pause\n- three consecutive failures\n- after 40 rounds\n",
      opts,
    );
    expect(g.verify).toEqual([
      { kind: "command", command: "npm test", source: { file: "GOAL.md", line: 3, column: 3 } },
      { kind: "artifact", glob: "artifacts/**/*.png", source: { file: "GOAL.md", line: 4, column: 3 } },
    ]);
    expect(g.pause).toEqual({
      repeatedFailure: 5,
      maxRounds: 10,
      maxRoundsFrom: { source: { file: "GOAL.md", line: 5, column: 30 } },
      budgetMs: 7_200_000,
      onForbidden: "pause",
      manual: [],
    });
    expect(g.protect).toEqual(["migrations/**"]);
  });

  it("remembers the prose line a maximum of rounds came from, so the stop can name it", () => {
    const g = parseGoal("## Goal\nGreen.\n\n终止条件：\n- 最多 5 轮\n", opts);
    expect(g.pause).toMatchObject({
      maxRounds: 5,
      maxRoundsFrom: { source: { file: "GOAL.md", line: 5 }, text: "最多 5 轮" },
      manual: [],
    });
  });

  it("recognises pause conditions written in prose, English or Chinese", () => {
    expect(
      parseGoal("## Goal\nx\n## Pause when\n- the same failure three times in a row\n- no more than 12 rounds\n", opts)
        .pause,
    ).toMatchObject({ repeatedFailure: 3, maxRounds: 12 });
    expect(parseGoal("目标：x\n暂停条件：\n- 连续三次失败\n- 超过十五轮\n- 超过 2 小时\n", opts).pause).toMatchObject({
      repeatedFailure: 3,
      maxRounds: 15,
      budgetMs: 7_200_000,
      manual: [],
    });
  });

  it("reports a file with no goal, with a hint on how to state one", () => {
    expect(errorsOf("## Scope\n- src/\n")).toEqual([
      expect.stringMatching(/^GOAL\.md:1:1: error: GOAL\.md states no goal\n {2}hint: add a `## Goal` section/),
    ]);
  });

  it("reports unknown and invalid pause settings at their lines", () => {
    expect(errorsOf("---\npause:\n  maxRound: 3\n  repeatedFailure: many\n---\n/goal x\n")).toEqual([
      expect.stringMatching(
        /^GOAL\.md:3:3: error: unknown setting `pause\.maxRound`\n {2}hint: did you mean `maxRounds`\?/,
      ),
      expect.stringMatching(
        /^GOAL\.md:4:3: error: setting `pause\.repeatedFailure`: expected a whole number of failures/,
      ),
    ]);
  });

  it("reads the script agent's steps and vars, and points at a bad step", () => {
    const g = parseGoal(
      '---\nvars: { url: http://localhost:3000, port: 3000 }\nsteps:\n  - tool: browser.open\n    input: { url: "{{url}}" }\n  - tool: shell.run\n    on: verify-failed\n    input: { command: npm test }\n---\n/goal x\n',
      opts,
    );
    expect(g.vars).toEqual({ url: "http://localhost:3000", port: "3000" });
    expect(g.steps).toEqual([
      {
        tool: "browser.open",
        input: { url: "{{url}}" },
        on: "always",
        source: { file: "GOAL.md", line: 4, column: 3 },
      },
      {
        tool: "shell.run",
        input: { command: "npm test" },
        on: "verify-failed",
        source: { file: "GOAL.md", line: 6, column: 3 },
      },
    ]);
    expect(errorsOf("---\nsteps:\n  - tool: browser.open\n    when: always\n---\n/goal x\n")).toEqual([
      expect.stringMatching(/^GOAL\.md:4:5: error: step 1: unknown setting `when`/),
    ]);
  });
  it("counts steps from one in messages, at the step's own line", () => {
    const errors = errorsOf(
      "---\nsteps:\n  - tool: browser.open\n  - tool: Shell Run\n  - tool: shell.run\n    on: sometimes\n---\n/goal x\n",
    );
    expect(errors).toEqual([
      expect.stringMatching(/^GOAL\.md:4:5: error: step 2: setting `tool`: expected a tool id such as browser\.open/),
      expect.stringMatching(/^GOAL\.md:6:5: error: step 3: setting `on`: expected always, first-round/),
    ]);
  });
});
