import { describe, expect, it } from "vitest";
import type { VerificationResult } from "../verify.js";
import type { Standing } from "./build.js";
import { type Problem, roundBlockers, trackProblems } from "./problems.js";
import { renderStanding, standingLanguage } from "./render.js";

const failing = (what: string, detail = "exit 1"): VerificationResult =>
  ({ passed: false, waiting: false, manual: [], checks: [{ kind: "command", what, passed: false, detail }] }) as never;
const passing = (what: string): VerificationResult =>
  ({
    passed: true,
    waiting: false,
    manual: [],
    checks: [{ kind: "command", what, passed: true, detail: "exit 0" }],
  }) as never;
const waiting = (what: string): VerificationResult =>
  ({
    passed: false,
    waiting: true,
    manual: [],
    checks: [{ kind: "command", what, passed: false, waiting: true, detail: "" }],
  }) as never;

function round(
  previous: Problem[],
  next: number,
  n: number,
  verification: VerificationResult,
  problems: string[] = [],
) {
  return trackProblems(previous, next, {
    round: n,
    blockers: roundBlockers(verification, [], problems),
    passedChecks: verification.checks.filter((c) => c.passed).map((c) => c.what),
    at: "2026-12-06T00:00:00Z",
  });
}

describe("open problems across rounds", () => {
  it("a failing check is one problem until it passes — a round where it only waited for approval does not close it", () => {
    let t = round([], 1, 2, failing("npm test", "exit 1 after 312 ms"));
    t = round(t.problems, t.nextId, 3, failing("npm test", "exit 1 after 290 ms"));
    t = round(t.problems, t.nextId, 4, waiting("npm test"));
    expect(t.problems).toEqual([expect.objectContaining({ id: "P1", firstRound: 2, lastSeenRound: 3 })]);
    expect(t.problems[0]!.closed).toBeUndefined();
    t = round(t.problems, t.nextId, 5, passing("npm test"));
    expect(t.problems[0]!.closed).toMatchObject({ round: 5, how: "passed in round 5" });
    t = round(t.problems, t.nextId, 6, failing("npm test"));
    expect(t.problems.map((p) => [p.id, p.firstRound, Boolean(p.closed)])).toEqual([
      ["P1", 2, true],
      ["P2", 6, false],
    ]);
  });

  it("a problem around the agent closes when a round no longer has it; numbers in its text do not make it new", () => {
    let t = round([], 1, 1, passing("x"), ["memory audit: 3 entries are stale"]);
    t = round(t.problems, t.nextId, 2, passing("x"), ["memory audit: 4 entries are stale"]);
    expect(t.problems).toHaveLength(1);
    expect(t.problems[0]!.text).toBe("memory audit: 4 entries are stale");
    t = round(t.problems, t.nextId, 3, passing("x"));
    expect(t.problems[0]!.closed?.how).toBe("not seen in round 3");
  });
});

describe("the standing state in the thread's language", () => {
  const standing: Standing = {
    round: 3,
    state: "waiting",
    goal: "修复购物车",
    stage: "write",
    people: [["person:li", 1]],
    hosts: [],
    apps: [],
    repositories: [],
    files: [],
    decisions: [{ seq: 7, line: 7, time: "2026-12-06T01:00:00Z", round: 2, actor: "person:li", what: "approved ap_1" }],
    open: [
      { id: "P1", key: "check:npm test", kind: "check", text: "npm test: exit 1", firstRound: 2, lastSeenRound: 3 },
    ],
    recentlyClosed: [],
    artifacts: [],
    nextWake: [{ from: "agent", text: "看一下部署日志" }],
    stops: ["rounds: 3 of 10"],
  };

  it("a thread written with Chinese headings gets 决定 / 未解决问题 / 下次唤醒检查", () => {
    expect(standingLanguage("# 线程\n\n## 负责\n- src/\n")).toBe("zh");
    expect(standingLanguage("# Thread\n\n## Owns\n- src/\n")).toBe("en");
    const text = renderStanding(standing, { language: "zh", auditLink: ".worksite/audit.jsonl" });
    for (const heading of [
      "## 现状",
      "### 决定",
      "### 未解决问题",
      "### 下次唤醒检查",
      "### 停止条件",
      "### 人员与系统",
    ])
      expect(text).toContain(heading);
    expect(text).toContain("**P1** npm test: exit 1 — 自第 2 轮起，已 2 轮");
    expect(text).toContain("[audit #7](.worksite/audit.jsonl#L7)");
    expect(text).toContain("看一下部署日志 _(代理提议)_");
  });

  it("keeps the last 30 decisions in PROGRESS.md and counts the earlier ones", () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ ...standing.decisions[0]!, seq: i + 1, line: i + 1 }));
    const text = renderStanding({ ...standing, decisions: many });
    expect(text).toContain("… 15 earlier decisions in the audit log");
    expect(text.match(/audit #\d+/g)).toHaveLength(30);
  });
});
