import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../errors.js";
import { parseFrontmatter } from "./frontmatter.js";
import type { ParseResult } from "./parse-result.js";
import { safeParseGoal } from "./parse-goal.js";
import { safeParsePermissions } from "./parse-permissions.js";
import { safeParseThread } from "./parse-thread.js";

/**
 * The "billion laughs": nine levels of nine aliases, 9^9 (387 million) strings once expanded, in
 * under 400 bytes. `key` is where the last level is used, so it reaches a setting's validation.
 */
function aliasBomb(key: string, indent = ""): string {
  const lines = [`${indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let n = 1; n < 9; n++)
    lines.push(
      `${indent}l${n}: &l${n} [${Array(9)
        .fill(`*l${n - 1}`)
        .join(",")}]`,
    );
  lines.push(`${indent}${key}: *l8`);
  return lines.join("\n");
}

const errorsOf = (r: ParseResult<unknown>) =>
  r.ok ? [] : r.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);

describe("YAML alias expansion is bounded", () => {
  it("refuses an alias bomb in PERMISSIONS.md at the first alias, without spelling the value out", () => {
    const r = safeParsePermissions(`---\n${aliasBomb("default")}\n---\n# Permissions\n`, { file: "PERMISSIONS.md" });
    const errors = errorsOf(r);
    expect(errors).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:3:1: error: YAML aliases \(\*name\) here expand to far more than is written/,
      ),
    ]);
    expect(errors.join("").length).toBeLessThan(400);
  });

  it("refuses an alias bomb in THREAD.md and GOAL.md settings", () => {
    expect(errorsOf(safeParseThread(`---\n${aliasBomb("plugins")}\n---\n# T\n`, { file: "THREAD.md" }))).toEqual([
      expect.stringMatching(/^THREAD\.md:3:1: error: YAML aliases/),
    ]);
    expect(errorsOf(safeParseGoal(`---\n${aliasBomb("protect")}\n---\n## Goal\nx\n`, { file: "GOAL.md" }))).toEqual([
      expect.stringMatching(/^GOAL\.md:3:1: error: YAML aliases/),
    ]);
  });

  it("refuses a long string repeated through aliases, and an alias of itself", () => {
    const long = `---\ns: &s "${"x".repeat(20_000)}"\nlist: [${Array(2_000).fill("*s").join(", ")}]\n---\n`;
    expect(parseFrontmatter(long, "SKILL.md")).toMatchObject({
      ok: false,
      diagnostics: [expect.objectContaining({ line: 3, message: expect.stringContaining("YAML aliases") })],
    });
    expect(parseFrontmatter("---\na: &a [*a, *a]\n---\n", "x.md")).toMatchObject({ ok: false });
  });

  it("still reads anchors used a few times, and long lists written out", () => {
    const fm = parseFrontmatter(
      "---\nbase: &b { read: read-only }\nother: *b\ntags: &t [a, b]\nmore: *t\n---\nbody\n",
      "x.md",
    );
    expect(fm).toMatchObject({ ok: true, data: { other: { read: "read-only" }, more: ["a", "b"] } });
    const list = `---\nprotect: [${Array(100_000).fill("a").join(",")}]\n---\n`;
    expect(parseFrontmatter(list, "GOAL.md")).toMatchObject({ ok: true });
  });

  it("names a bad tier briefly, however long the value", () => {
    const r = safeParsePermissions(
      `---\ndefault: { read: [${Array(1_000).fill('"forbidden-for-everyone"').join(",")}] }\n---\n`,
      { file: "PERMISSIONS.md" },
    );
    expect(errorsOf(r)).toEqual([expect.stringMatching(/`default\.read` is a list; expected one of allow, read-only/)]);
    expect(errorsOf(r).join("").length).toBeLessThan(500);
    expect(
      errorsOf(safeParsePermissions(`---\ndefault: ${"y".repeat(500)}\n---\n`, { file: "PERMISSIONS.md" })),
    ).toEqual([expect.stringMatching(/`default` is `y{57}…`; expected one of/)]);
  });
});
