import { describe, expect, it } from "vitest";
import { parseGoal } from "./parse-goal.js";
import { parsePermissions } from "./parse-permissions.js";
import { parseThread } from "./parse-thread.js";
import { fixture } from "./__fixtures__/fixtures.js";

/**
 * Drops where things came from and replaces prose (which differs by language)
 * with a marker; commands, globs, rules, tiers and numbers stay.
 */
function structure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structure);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  const isRule = "tool" in o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === "source" || k === "file" || k === "goalSource" || k === "title") continue;
    if ((k === "text" && !isRule) || k === "goal") out[k] = typeof v === "string" && v !== "" ? "<prose>" : v;
    else out[k] = structure(v);
  }
  return out;
}

describe("English markdown headings and Chinese label-colon headings", () => {
  it("THREAD.md parses to the same structure in both languages", () => {
    const en = parseThread(fixture("en", "THREAD.md"), { file: "en/THREAD.md" });
    const zh = parseThread(fixture("zh", "THREAD.md"), { file: "zh/THREAD.md" });
    expect(structure(zh)).toEqual(structure(en));
    expect(en.owns).toHaveLength(2);
    expect(en.readFirst.map((i) => i.text)).toEqual(["README.md", "docs/architecture.md"]);
    expect(zh.pauseWhen.map((i) => i.text)).toEqual(["同一个测试连续失败三次", "需要数据库迁移"]);
    expect(zh.owns[0]!.source).toEqual({ file: "zh/THREAD.md", line: 15, column: 3 });
  });

  it("GOAL.md parses to the same structure in both languages", () => {
    const en = parseGoal(fixture("en", "GOAL.md"), { file: "en/GOAL.md" });
    const zh = parseGoal(fixture("zh", "GOAL.md"), { file: "zh/GOAL.md" });
    expect(structure(zh)).toEqual(structure(en));
    expect(en.verify.map((v) => v.kind)).toEqual(["command", "command", "artifact", "manual"]);
    expect(zh.goal).toBe("Web 应用的全部测试通过，构建没有错误。");
    expect(zh.pause).toMatchObject({ repeatedFailure: 3, maxRounds: 20, onForbidden: "pause" });
    expect(zh.pause.manual.map((i) => i.text)).toEqual(["看起来不安全"]);
  });

  it("PERMISSIONS.md parses to the same structure in both languages", () => {
    const en = parsePermissions(fixture("en", "PERMISSIONS.md"), { file: "en/PERMISSIONS.md", root: "/site" });
    const zh = parsePermissions(fixture("zh", "PERMISSIONS.md"), { file: "zh/PERMISSIONS.md", root: "/site" });
    expect(structure(zh)).toEqual(structure(en));
    expect(zh.defaults).toEqual({ read: "read-only", write: "confirm", external: "forbidden" });
    expect(zh.rules.map((r) => `${r.tier} ${r.text}`)).toEqual([
      "allow file.write(src/**)",
      "allow shell.run(npm test)",
      "read-only browser.*",
      "draft message.send",
      "confirm shell.run(git push)",
      "forbidden shell.run(rm -rf)",
      "forbidden payment.*",
    ]);
    expect(zh.notes.map((n) => n.tier)).toEqual(["draft", "forbidden"]);
  });
});
