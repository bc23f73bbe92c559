import { describe, expect, it } from "vitest";
import { formatDiagnostic, UserError } from "../errors.js";
import { parsePermissions, safeParsePermissions } from "./parse-permissions.js";

const opts = { file: "PERMISSIONS.md", root: "/site" };
const rulesOf = (text: string) =>
  parsePermissions(text, opts).rules.map(
    (r) => `${r.tier} ${r.tool}${r.specifier === undefined ? "" : ` (${r.specifier})`}`,
  );

function errorsOf(text: string): string[] {
  const result = safeParsePermissions(text, opts);
  if (result.ok) throw new Error("expected errors, got none");
  return result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
}

const EXPECTED = [
  "allow file.write (src/**)",
  "allow shell.run (npm test)",
  "read-only browser.*",
  "confirm shell.run (git push)",
  "forbidden shell.run (rm -rf)",
  "forbidden payment.*",
];

describe("PERMISSIONS.md", () => {
  it("reads a markdown pipe table the same as tier sections", () => {
    const table = [
      "| tier | rules | why |",
      "|------|-------|-----|",
      "| allow | `file.write(src/**)`, `shell.run(npm test)` | safe, rolled back by git |",
      "| read-only | `browser.*` | |",
      "| requires confirmation | `shell.run(git push)` | |",
      "| forbidden | `shell.run(rm -rf)` `payment.*` | |",
    ].join("\n");
    expect(rulesOf(table)).toEqual(EXPECTED);
    const parsed = parsePermissions(table, opts);
    expect(parsed.notes).toEqual([]);
    expect(parsed.rules.filter((r) => r.note).map((r) => `${r.text}: ${r.note}`)).toEqual([
      "file.write(src/**): safe, rolled back by git",
      "shell.run(npm test): safe, rolled back by git",
    ]);
  });

  it("keeps a table row's why column on the rule, not under 'not enforced'", () => {
    const result = safeParsePermissions(
      "| tier | rule | why |\n|---|---|---|\n| forbidden | `shell.run(curl)` | no network |\n| allow | `shell.run(ls)` | reads `src` only |\n",
      opts,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.notes).toEqual([]);
    expect(result.value.rules.map((r) => [r.tier, r.text, r.note])).toEqual([
      ["forbidden", "shell.run(curl)", "no network"],
      ["allow", "shell.run(ls)", "reads `src` only"],
    ]);
    // `src` in the why column is prose, so no "not a rule" warning.
    expect(result.warnings).toEqual([]);
  });

  it("reads a table row with no rule as one note, its cells joined", () => {
    const result = safeParsePermissions(
      "| tier | rule | why |\n|---|---|---|\n| forbidden | Never spend money | a note |\n| allow | `shell.run(ls)` | |\n",
      opts,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.notes).toEqual([
      {
        tier: "forbidden",
        text: "Never spend money — a note",
        source: { file: "PERMISSIONS.md", line: 3, column: 15 },
      },
    ]);
    expect(result.value.rules.map((r) => r.text)).toEqual(["shell.run(ls)"]);
  });

  it("keeps prose written after a rule on the rule, without its examples", () => {
    const rules = parsePermissions(
      '## Forbidden\n- `shell.run(curl)` — no network\n- `file.write(src/**)` match: "src/a.ts" (generated code)\n- `payment.*`\n',
      opts,
    ).rules;
    expect(rules.map((r) => r.note)).toEqual(["no network", "generated code", undefined]);
  });

  it.each(["## Tiers table", "## Permission table", "## 权限表"])(
    "reads a table under %j as a container, not an unknown tier",
    (heading) => {
      const text = `# Permissions\n\n${heading}\n\n| tier | rule |\n|---|---|\n| forbidden | \`shell.run(curl)\` |\n`;
      const result = safeParsePermissions(text, opts);
      expect(result.ok).toBe(true);
      if (result.ok)
        expect(result.value.rules.map((r) => `${r.tier} ${r.text}`)).toEqual(["forbidden shell.run(curl)"]);
    },
  );

  it("still reports an unknown tier heading above plain rules", () => {
    expect(errorsOf("## Tiers table\n- `shell.run(curl)`\n")).toEqual([
      expect.stringMatching(/unknown tier "Tiers table"/),
    ]);
  });

  it("reads a whitespace-aligned 层级 table as people type it", () => {
    const table = [
      "层级      规则",
      "允许      `file.write(src/**)`, `shell.run(npm test)`",
      "只读      `browser.*`",
      "需确认    `shell.run(git push)`",
      "禁止      `shell.run(rm -rf)`",
      "          `payment.*`",
    ].join("\n");
    expect(rulesOf(table)).toEqual(EXPECTED);
  });

  it("reads an English whitespace table with a two-word tier", () => {
    const table = [
      "tier                    rules",
      "allow                   `file.write(src/**)`",
      "requires confirmation   `shell.run(git push)`",
    ].join("\n");
    expect(rulesOf(table)).toEqual(["allow file.write (src/**)", "confirm shell.run (git push)"]);
  });

  it("accepts the space form of a rule and normalises it to tool and target", () => {
    const rules = parsePermissions("## Read-only\n- `browser.open https://*.example.com/**`\n", opts).rules;
    expect(rules[0]).toMatchObject({
      tool: "browser.open",
      specifier: "https://*.example.com/**",
      tier: "read-only",
      source: { line: 2, column: 3 },
    });
  });

  it("keeps prose as notes that are not enforced, and says when a code span is no rule", () => {
    const result = safeParsePermissions("## Forbidden\n- Never touch `.env` files\n- `payment.*`\n", opts);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.notes).toEqual([
      { tier: "forbidden", text: "Never touch `.env` files", source: { file: "PERMISSIONS.md", line: 2, column: 3 } },
    ]);
    expect(result.warnings[0]).toMatchObject({ line: 2, column: 15, message: expect.stringContaining("not a rule") });
  });

  it("uses read-only for reads and confirm for everything else when no default is given", () => {
    expect(parsePermissions("", opts).defaults).toEqual({ read: "read-only", write: "confirm", external: "confirm" });
    expect(parsePermissions("---\ndefault: 需确认\n---\n", opts).defaults).toEqual({
      read: "confirm",
      write: "confirm",
      external: "confirm",
    });
    expect(parsePermissions("---\ndefault: { write: draft }\n---\n", opts).defaults).toEqual({
      read: "read-only",
      write: "draft",
      external: "confirm",
    });
  });

  it("reports an unknown tier heading with its line and a did-you-mean", () => {
    expect(errorsOf("# Permissions\n\n## Alow\n- `file.write(src/**)`\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:3:1: error: unknown tier "Alow"\n {2}hint: did you mean "allow"\?/),
    ]);
  });

  it("reports an unknown tier in a table row", () => {
    expect(errorsOf("| tier | rules |\n|---|---|\n| maybe | `shell.run(ls)` |\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:3:2: error: unknown tier "maybe"\n {2}hint: tiers are allow/),
    ]);
  });

  it("reports a code span that is never closed at the backtick", () => {
    expect(errorsOf("## Allow\n- `file.write(src/**)\n")).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:2:3: error: this code span is never closed\n {2}hint: end the rule with a backtick/,
      ),
    ]);
  });

  it("reports bad YAML at the line of the value that went wrong", () => {
    expect(errorsOf("---\ndefault: [allow\n---\n## Allow\n- `shell.run(ls)`\n")).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:2:10: error: the value of `default` is not valid YAML \(an unclosed `\[`\?\)\n {2}hint: close it with `\]`, e\.g\. `default: \[allow\]`/,
      ),
    ]);
  });

  it("suggests the setting meant by an unknown key", () => {
    expect(errorsOf("---\ndefualt: confirm\n---\n")).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:2:1: error: unknown setting `defualt`\n {2}hint: did you mean `default`\?/,
      ),
    ]);
  });

  it("reports every error of the file at once", () => {
    const errors = errorsOf(
      "---\ndefualt: confirm\n---\n## Alow\n- `a.b`\n## Allow\n- `file.write(src/**\n- `shell.run(npm test`\n",
    );
    expect(errors.map((e) => e.split(":").slice(1, 3).join(":"))).toEqual(["2:1", "4:1", "7:3", "8:3"]);
  });

  it("throws a UserError carrying the diagnostics from parsePermissions", () => {
    try {
      parsePermissions("## Nope\n", opts);
      expect.unreachable();
    } catch (e) {
      expect(UserError.isUserError(e)).toBe(true);
      expect((e as UserError).diagnostics[0]).toMatchObject({
        file: "PERMISSIONS.md",
        line: 1,
        hint: expect.any(String),
      });
    }
  });

  it("reads match and not_match examples into the rule", () => {
    const [rule] = parsePermissions(
      '## Read-only\n- `browser.open(https://*.example.com/**)` match: "https://app.example.com/a", "https://b.example.com/" not_match: "https://evil.com/"\n',
      opts,
    ).rules;
    expect(rule!.examples).toEqual({
      match: ["https://app.example.com/a", "https://b.example.com/"],
      notMatch: ["https://evil.com/"],
    });
  });

  it("reports a match: keyword with no quoted example", () => {
    expect(errorsOf("## Allow\n- `file.write(src/**)` match: src/a.ts\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:2:31: error: expected a quoted example after match:/),
    ]);
  });

  it("refuses a rule whose match: example does not match, naming the line", () => {
    expect(errorsOf('## Allow\n- `file.write(src/**)` match: "test/a.ts"\n')).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:2:31: error: `file.write\(src\/\*\*\)` does not match its example "test\/a.ts"\n {2}hint: /,
      ),
    ]);
  });

  it("refuses a rule that matches its not_match: example", () => {
    expect(errorsOf('## Allow\n- `file.write(src/**)` not_match: "src/a.ts"\n')).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:2:35: error: .*not_match example/),
    ]);
  });

  it("accepts examples that agree with their rule", () => {
    expect(
      safeParsePermissions('## Allow\n- `file.write(src/**)` match: "src/a.ts" not_match: "migrations/1.sql"\n', opts)
        .ok,
    ).toBe(true);
  });

  it("reports a rule that sits under no tier", () => {
    expect(errorsOf("# Permissions\n\n- `shell.run(ls)`\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:3:3: error: this rule is under no tier/),
    ]);
  });
  it("names the bad value of a per-effect default, at the line of its key", () => {
    expect(errorsOf("---\n# who decides\n\ndefault: { read: maybe }\n---\n")).toEqual([
      expect.stringMatching(
        /^PERMISSIONS\.md:4:12: error: `default\.read` is `maybe`; expected one of allow, read-only, draft, confirm, forbidden\n {2}hint: /,
      ),
    ]);
    expect(errorsOf("---\ndefault:\n  write: confirm\n  read: maybe\n---\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:4:3: error: `default\.read` is `maybe`; expected one of allow/),
    ]);
    expect(errorsOf("---\ndefault: sometimes\n---\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:2:1: error: `default` is `sometimes`; expected one of allow/),
    ]);
    expect(errorsOf("---\ndefault: [allow]\n---\n")).toEqual([
      expect.stringMatching(/^PERMISSIONS\.md:2:1: error: setting `default`: expected a tier, or one per effect/),
    ]);
  });
});
