import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { discoverSkills } from "./discovery.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";

const pkgJson = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version: "1.2.3", keywords: ["worksite-skill"], worksite: { skill: "./SKILL.md" }, ...extra });

describe("finding skills", () => {
  it("takes the worksite's skills/ first, then installed packages, then first-party skills, and says what is shadowed", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const firstParty = join(outer, "repo-skills");
    await writeTree(outer, {
      // the worksite's own folder
      "site/THREAD.md": "# t\n",
      "site/skills/deploy/SKILL.md": skillMd("name: deploy\ndescription: our own deploy"),
      // a package installed in the worksite
      "site/node_modules/@acme/skill-deploy/package.json": pkgJson("@acme/skill-deploy"),
      "site/node_modules/@acme/skill-deploy/SKILL.md": skillMd("name: deploy\ndescription: acme deploy"),
      "site/node_modules/worksite-skill-lint/package.json": pkgJson("worksite-skill-lint"),
      "site/node_modules/worksite-skill-lint/SKILL.md": skillMd(
        "name: lint\ndescription: lint from the worksite's node_modules",
      ),
      // an ordinary package without the keyword is not a skill
      "site/node_modules/left-pad/package.json": JSON.stringify({
        name: "left-pad",
        version: "1.0.0",
        worksite: { skill: "./SKILL.md" },
      }),
      "site/node_modules/left-pad/SKILL.md": skillMd("name: left-pad\ndescription: not declared"),
      // a package further up
      "node_modules/worksite-skill-lint/package.json": pkgJson("worksite-skill-lint"),
      "node_modules/worksite-skill-lint/SKILL.md": skillMd(
        "name: lint\ndescription: lint from the parent's node_modules",
      ),
      // first-party: an installed @worksite/skill-* package and a folder given explicitly
      "node_modules/@worksite/skill-verify-page/package.json": pkgJson("@worksite/skill-verify-page"),
      "node_modules/@worksite/skill-verify-page/SKILL.md": skillMd(
        "name: verify-page\ndescription: first-party verify",
      ),
      "repo-skills/verify-page/SKILL.md": skillMd("name: verify-page\ndescription: repo copy"),
      "repo-skills/digest/SKILL.md": skillMd("name: digest\ndescription: first-party digest"),
      "repo-skills/broken/SKILL.md": skillMd("name: broken"),
    });

    const found = await discoverSkills({ worksite, firstPartyDirs: [firstParty], relativeTo: outer });
    expect(found.skills.map((s) => [s.name, s.source, s.description])).toEqual([
      ["deploy", "worksite", "our own deploy"],
      ["lint", "package", "lint from the worksite's node_modules"],
      ["verify-page", "first-party", "first-party verify"],
      ["digest", "first-party", "first-party digest"],
    ]);
    expect(found.skills[1]!.package).toMatchObject({ name: "worksite-skill-lint", version: "1.2.3" });
    expect(found.shadowed.map((s) => [s.skill.description, s.by.description])).toEqual([
      ["acme deploy", "our own deploy"],
      ["lint from the parent's node_modules", "lint from the worksite's node_modules"],
      ["repo copy", "first-party verify"],
    ]);
    expect(found.problems.map((p) => p.error.diagnostics[0]?.file)).toEqual(["repo-skills/broken/SKILL.md"]);
  });

  it("finds nothing, without failing, in a worksite with no skills", async () => {
    const worksite = await tempDir();
    const found = await discoverSkills({ worksite });
    expect(found.skills.filter((s) => s.source === "worksite")).toEqual([]);
    expect(found.problems).toEqual([]);
  });
});
