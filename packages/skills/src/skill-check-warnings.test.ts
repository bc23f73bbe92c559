import { readFile, writeFile } from "node:fs/promises";
import { type Diagnostic, formatDiagnostic, UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { loadSkill } from "./load-skill.js";
import { scaffoldSkill } from "./scaffold.js";
import { parseSections } from "./sections.js";
import { toolTypo } from "./steps.js";
import { tempDir } from "./test-helpers.js";

/** What a session with the core tools and the browser plugin would offer (the CLI asks the real session). */
const TOOLS = ["shell.run", "file.read", "file.list", "file.write", "browser.open", "browser.click", "browser.type"];

const warningsOf = (body: string) => {
  const warnings: Diagnostic[] = [];
  parseSections(body, 1, "SKILL.md", {}, warnings, TOOLS);
  return warnings.map(formatDiagnostic);
};
const steps = (...tools: string[]) =>
  `## Steps\n\n\`\`\`yaml\n${tools.map((t) => `- tool: ${t}\n  input: {}`).join("\n")}\n\`\`\`\n`;

describe("skill check warns about what would silently do nothing", () => {
  it("flags a skill whose description is still the one `skill new` wrote, without failing it", async () => {
    const root = await tempDir();
    const made = await scaffoldSkill("release-notes", { root });
    const skill = await loadSkill(made.dir);
    const shown = skill.diagnostics.map(formatDiagnostic);
    expect(shown).toEqual([
      expect.stringMatching(
        /SKILL\.md:3: warning: the description is still the template's\n {2}hint: say what the skill does/,
      ),
    ]);
  });

  it("does not flag a description the author wrote", async () => {
    const root = await tempDir();
    const made = await scaffoldSkill("release-notes", {
      root,
      description: "Draft release notes from merged PRs. Use before tagging a release.",
    });
    expect((await loadSkill(made.dir)).diagnostics).toEqual([]);
  });

  it("warns about a misspelt section heading with a did-you-mean, in English and Chinese", () => {
    expect(warningsOf(`## Stpes\n\n\`\`\`yaml\n- tool: shell.run\n\`\`\`\n`)).toEqual([
      expect.stringMatching(
        /^SKILL\.md:1: warning: "Stpes" is not one of worksite's section names: a model agent still reads its text, but worksite takes no steps \(the script agent runs nothing\) from it\n {2}hint: did you mean "## Steps"\?/,
      ),
    ]);
    expect(warningsOf("## Done wen\n- x\n## Failure mode\n- y\n")).toEqual([
      expect.stringMatching(/"Done wen" .*\n {2}hint: did you mean "## Done when"\?/),
      expect.stringMatching(/"Failure mode" .*\n {2}hint: did you mean "## Failure modes"\?/),
    ]);
    expect(warningsOf("## 步聚\n- x\n")).toEqual([expect.stringMatching(/hint: did you mean "## 步骤"\?/)]);
  });

  it("leaves the author's own headings alone", () => {
    expect(warningsOf("## Notes\n- x\n## Setup\n- y\n## Examples\n- z\n## 说明\n- w\n")).toEqual([]);
  });

  it("the misspelt heading reaches `skill check` through loadSkill", async () => {
    const root = await tempDir();
    const made = await scaffoldSkill("demo", { root, description: "Demo skill. Use in tests." });
    const file = `${made.dir}/SKILL.md`;
    await writeFile(file, (await readFile(file, "utf8")).replace("## Steps", "## Stpes"));
    const skill = await loadSkill(made.dir);
    expect(skill.sections.steps).toBeUndefined();
    expect(skill.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      'warning: "Stpes" is not one of worksite\'s section names: a model agent still reads its text, but worksite takes no steps (the script agent runs nothing) from it',
    ]);
  });

  it("warns about a step tool one slip away from a known tool, naming the step and line", () => {
    expect(warningsOf(steps("shel.run", "file.wrte", "browser.clik", "mail.send"))).toEqual([
      expect.stringMatching(
        /^SKILL\.md:4: warning: step 1: `shel\.run` is not a known tool\n {2}hint: did you mean `shell\.run`\?/,
      ),
      expect.stringMatching(
        /^SKILL\.md:6: warning: step 2: `file\.wrte` is not a file tool\n {2}hint: did you mean `file\.write`\?/,
      ),
      expect.stringMatching(
        /^SKILL\.md:8: warning: step 3: `browser\.clik` is not a browser tool\n {2}hint: did you mean `browser\.click`\?/,
      ),
    ]);
  });

  it("lists a known plugin's tools when a step names one it does not have", () => {
    expect(toolTypo("file.delete", TOOLS)).toEqual({
      message: "`file.delete` is not a file tool",
      hint: "file tools are read, list, write",
    });
    expect(toolTypo("shell.run", TOOLS)).toBeUndefined();
    expect(toolTypo("github.comment", TOOLS)).toBeUndefined();
  });

  it("without a tool list (library use) checks only the plugin.tool shape", () => {
    const warnings: Diagnostic[] = [];
    parseSections(steps("shel.run", "file.wrte"), 1, "SKILL.md", {}, warnings);
    expect(warnings).toEqual([]);
  });

  it("the tool list reaches the check through loadSkill", async () => {
    const root = await tempDir();
    const made = await scaffoldSkill("demo", { root, description: "Demo skill. Use in tests." });
    const file = `${made.dir}/SKILL.md`;
    await writeFile(file, `---\nname: demo\ndescription: Demo skill. Use in tests.\n---\n\n${steps("file.wrte")}`);
    expect((await loadSkill(made.dir)).diagnostics).toEqual([]);
    expect((await loadSkill(made.dir, { knownTools: TOOLS })).diagnostics.map((d) => d.message)).toEqual([
      "step 1: `file.wrte` is not a file tool",
    ]);
  });

  it("refuses a step tool that is not of the shape plugin.tool", () => {
    let error: unknown;
    try {
      parseSections(steps("file.read", "shellrun"), 1, "SKILL.md");
    } catch (e) {
      error = e;
    }
    expect(UserError.isUserError(error)).toBe(true);
    expect((error as UserError).diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^SKILL\.md:6: error: step 2 tool: `shellrun` is not a tool id: write plugin\.tool, such as shell\.run/,
      ),
    ]);
  });
});
