import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSkill } from "./load-skill.js";
import { renderSteps } from "./steps.js";

const skillsDir = fileURLToPath(new URL("../../../skills/", import.meta.url));
const names = readdirSync(skillsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe("first-party skills", () => {
  it("include verify-page, release-notes and approvals-digest", () => {
    expect(names).toEqual(expect.arrayContaining(["verify-page", "release-notes", "approvals-digest"]));
  });

  for (const name of names) {
    it(`${name} passes the checks, has steps, failure modes and done-when, and is a publishable package`, async () => {
      const skill = await loadSkill(join(skillsDir, name), { source: "first-party" });
      expect(skill.diagnostics.filter((d) => d.severity !== "note")).toEqual([]);
      expect(skill.sections.steps?.length).toBeGreaterThan(1);
      expect(skill.sections.failureModes.length).toBeGreaterThan(0);
      expect(skill.sections.failureModes.every((f) => f.action.length > 0)).toBe(true);
      expect(skill.sections.doneWhen.length).toBeGreaterThan(0);
      expect(skill.sections.triggers.keywords.length + skill.sections.triggers.events.length).toBeGreaterThan(0);
      expect(skill.package).toMatchObject({ name: `@worksite/skill-${name}` });
      const pkg = JSON.parse(await readFile(join(skillsDir, name, "package.json"), "utf8")) as Record<string, unknown>;
      expect(pkg).toMatchObject({
        keywords: expect.arrayContaining(["worksite-skill"]),
        worksite: { skill: "./SKILL.md" },
        files: expect.arrayContaining(["SKILL.md"]),
      });
      expect(await readFile(join(skillsDir, name, "CHANGELOG.md"), "utf8")).toContain(`## ${String(pkg.version)}`);
      // Every step renders once its variables and earlier results are supplied.
      const vars = Object.fromEntries(skill.sections.variables.map((v) => [v, `<${v}>`]));
      const results = Object.fromEntries(skill.sections.steps!.map((s, i) => [s.id ?? String(i), { content: "…" }]));
      expect(() => renderSteps(skill.sections.steps!, { ...vars, steps: results })).not.toThrow();
    });
  }

  it("verify-page uses the browser plugin's tools in order", async () => {
    const skill = await loadSkill(join(skillsDir, "verify-page"));
    expect(skill.sections.steps!.map((s) => s.tool)).toEqual([
      "browser.open",
      "browser.wait-for",
      "browser.snapshot",
      "browser.screenshot",
    ]);
    expect(skill.sections.variables).toEqual(["url", "expect"]);
  });
});
