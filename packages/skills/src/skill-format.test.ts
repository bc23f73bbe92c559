import { formatDiagnostic, UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadSkill } from "./load-skill.js";
import { parseSkillMarkdown, safeParseSkillMarkdown } from "./skill-format.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";

async function errorsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(UserError.isUserError(error)).toBe(true);
  return (error as UserError).diagnostics.map(formatDiagnostic);
}

describe("SKILL.md in the public Agent Skills format", () => {
  it("loads a plain skill with only name, description and a body", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "pdf-tools/SKILL.md": skillMd(
        "name: pdf-tools\ndescription: Extract text from PDF files. Use when a PDF is mentioned.",
      ),
    });
    const skill = await loadSkill(join(root, "pdf-tools"));
    expect(skill.name).toBe("pdf-tools");
    expect(skill.description).toBe("Extract text from PDF files. Use when a PDF is mentioned.");
    expect(skill.body).toContain("Do the thing.");
    expect(skill.bodyLine).toBe(5);
    expect(skill.sections.steps).toBeUndefined();
    expect(skill.diagnostics).toEqual([]);
    expect(skill.files).toEqual({ scripts: [], references: [], assets: [] });
  });

  it("lists the files under scripts/, references/ and assets/", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "deploy/SKILL.md": skillMd("name: deploy\ndescription: Deploy the app."),
      "deploy/scripts/deploy.sh": "#!/bin/sh\necho deploy\n",
      "deploy/scripts/lib/util.py": "print(1)\n",
      "deploy/references/runbook.md": "# Runbook\n",
      "deploy/assets/logo.svg": "<svg/>",
    });
    const skill = await loadSkill(join(root, "deploy"));
    expect(skill.files).toEqual({
      scripts: ["scripts/deploy.sh", "scripts/lib/util.py"],
      references: ["references/runbook.md"],
      assets: ["assets/logo.svg"],
    });
  });

  it("loads a Claude Code skill with its extra fields as notes, block scalars and Chinese text", async () => {
    const root = await tempDir();
    const text = skillMd(
      [
        "name: code-review",
        "description: |",
        "  审查代码变更并给出建议。",
        "  Use when reviewing a pull request.",
        "argument-hint: [pr-number]",
        "user-invocable: true",
        "disable-model-invocation: false",
        "context: fork",
        "model: sonnet",
        "allowed-tools:",
        "  - Read",
        "  - Grep",
        "metadata:",
        "  author: 张三",
      ].join("\n"),
    );
    await writeTree(root, { "code-review/SKILL.md": text });
    const skill = await loadSkill(join(root, "code-review"));
    expect(skill.description).toBe("审查代码变更并给出建议。\nUse when reviewing a pull request.");
    expect(skill.frontmatter.allowedTools).toEqual(["Read", "Grep"]);
    expect(skill.frontmatter.metadata).toEqual({ author: "张三" });
    expect(skill.frontmatter.extra).toMatchObject({
      "argument-hint": ["pr-number"],
      "user-invocable": true,
      context: "fork",
      model: "sonnet",
    });
    expect(skill.diagnostics.every((d) => d.severity === "note")).toBe(true);
    expect(skill.diagnostics.map((d) => `${d.line} ${d.message.split(" ")[0]}`)).toEqual([
      "6 argument-hint",
      "7 user-invocable",
      "8 disable-model-invocation",
      "9 context",
      "10 model",
    ]);
  });

  it("reads allowed-tools written as one space-separated string", () => {
    const parsed = parseSkillMarkdown(
      skillMd("name: a\ndescription: b\nallowed-tools: Bash(git:*) Read"),
      "a/SKILL.md",
    );
    expect(parsed.frontmatter.allowedTools).toEqual(["Bash(git:*)", "Read"]);
  });

  it("reads a folded description as one line", () => {
    const parsed = parseSkillMarkdown(skillMd("name: a\ndescription: >-\n  first part\n  second part"), "a/SKILL.md");
    expect(parsed.frontmatter.description).toBe("first part second part");
  });
});

describe("SKILL.md errors name the file and line", () => {
  it("reports a missing description at the frontmatter's first line", async () => {
    const root = await tempDir();
    await writeTree(root, { "demo/SKILL.md": skillMd("name: demo\nlicense: MIT") });
    const errors = await errorsOf(loadSkill(join(root, "demo"), { relativeTo: root }));
    expect(errors).toEqual([expect.stringMatching(/^demo\/SKILL\.md:1: error: description is missing/)]);
  });

  it("reports a bad name on the line of name:", async () => {
    const root = await tempDir();
    await writeTree(root, { "My_Skill/SKILL.md": skillMd("description: fine\nname: My_Skill") });
    const errors = await errorsOf(loadSkill(join(root, "My_Skill"), { relativeTo: root }));
    expect(errors[0]).toMatch(
      /^My_Skill\/SKILL\.md:3: error: name "My_Skill" is not lowercase letters, digits and single hyphens\n {2}hint: try name: my-skill/,
    );
  });

  it("rejects double hyphens, leading hyphens and names over 64 characters", () => {
    for (const name of ["a--b", "-ab", "ab-", "x".repeat(65)]) {
      const r = safeParseSkillMarkdown(skillMd(`name: ${name}\ndescription: d`), "SKILL.md");
      expect(r.ok, name).toBe(false);
    }
  });

  it("reports a name unlike its folder", async () => {
    const root = await tempDir();
    await writeTree(root, { "deploy/SKILL.md": skillMd("name: release\ndescription: d") });
    const errors = await errorsOf(loadSkill(join(root, "deploy"), { relativeTo: root }));
    expect(errors[0]).toMatch(/^deploy\/SKILL\.md:2: error: name "release" does not match its folder "deploy"/);
  });

  it("reports every problem at once, not just the first", () => {
    const r = safeParseSkillMarkdown(
      skillMd(`name: Bad Name\ndescription: ${"x".repeat(1025)}\nmetadata: [1]`),
      "SKILL.md",
    );
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.line)).toEqual([2, 3, 4]);
  });

  it("points a YAML syntax error at its line", () => {
    const r = safeParseSkillMarkdown("---\nname: a\ndescription: b\nbroken: [1, 2\n---\nbody\n", "SKILL.md");
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.message).toMatch(/not valid YAML/);
    expect(r.diagnostics[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it("says so when there is no frontmatter", () => {
    const r = safeParseSkillMarkdown("# Just a heading\n", "x/SKILL.md");
    expect(r.ok ? "" : formatDiagnostic(r.diagnostics[0]!)).toMatch(
      /^x\/SKILL\.md:1: error: SKILL\.md has no frontmatter/,
    );
  });

  it("keeps metadata values as written, as the public validator does: 1.0 stays 1.0, 010 stays 010", () => {
    const parsed = parseSkillMarkdown(
      skillMd(
        'name: a\ndescription: b\nmetadata:\n  version: 1.0\n  build: 010 # octal-looking\n  beta: yes\n  "date": 2024-01-05\n  tag: "2.0"',
      ),
      "SKILL.md",
    );
    expect(parsed.frontmatter.metadata).toEqual({
      version: "1.0",
      build: "010",
      beta: "yes",
      date: "2024-01-05",
      tag: "2.0",
    });
    expect(parsed.diagnostics).toEqual([]);
  });

  it("accepts names in any script the way the public validator does, and refuses upper case and double hyphens", () => {
    for (const name of ["技能", "мой-навык", "навык", "café-2"])
      expect(parseSkillMarkdown(skillMd(`name: ${name}\ndescription: d`), "SKILL.md").frontmatter.name).toBe(name);
    for (const name of ["НАВЫК", "a--b", "-a", "a-", "a_b", "a.b", "a/b"])
      expect(() => parseSkillMarkdown(skillMd(`name: ${name}\ndescription: d`), "SKILL.md"), name).toThrow(
        /not a valid skill/,
      );
  });
});
