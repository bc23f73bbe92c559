import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readSkillFile, roundSkillContext, skillIndex } from "./disclosure.js";
import { loadSkill } from "./load-skill.js";
import { matchSkills } from "./triggers.js";
import { matchesGlob } from "./glob.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";
import type { Skill } from "./types.js";

async function skills(): Promise<Skill[]> {
  const root = await tempDir();
  await writeTree(root, {
    "release-notes/SKILL.md": skillMd(
      "name: release-notes\ndescription: Draft release notes from the changelog.",
      "\n## When to use\n- keywords: release notes, 发布说明\n- files: CHANGELOG.md\n- events: schedule\n\nSECRET-BODY-RELEASE\n",
    ),
    "release-notes/references/style.md": "# Style\n",
    "verify-page/SKILL.md": skillMd(
      'name: verify-page\ndescription: Verify a local page with a screenshot.\nmetadata:\n  triggers: "screenshot, file:src/**/*.css"',
      "\nSECRET-BODY-VERIFY\n",
    ),
  });
  return Promise.all([loadSkill(join(root, "release-notes")), loadSkill(join(root, "verify-page"))]);
}

describe("choosing skills for a round", () => {
  it("matches goal keywords case-insensitively, including Chinese", async () => {
    const all = await skills();
    expect(
      matchSkills(all, { text: "Prepare the RELEASE NOTES for 2.0" }).map((m) => [m.skill.name, m.reasons]),
    ).toEqual([["release-notes", ['keyword "release notes"']]]);
    expect(matchSkills(all, { text: "写 发布说明" }).map((m) => m.skill.name)).toEqual(["release-notes"]);
  });

  it("matches changed files by glob and rounds by event", async () => {
    const all = await skills();
    expect(matchSkills(all, { changedFiles: ["src/app/theme/site.css"] }).map((m) => m.reasons)).toEqual([
      ["file src/app/theme/site.css matches src/**/*.css"],
    ]);
    expect(matchSkills(all, { changedFiles: ["docs/CHANGELOG.md"] }).map((m) => m.skill.name)).toEqual([
      "release-notes",
    ]);
    expect(matchSkills(all, { event: "schedule" }).map((m) => m.skill.name)).toEqual(["release-notes"]);
    expect(matchSkills(all, { text: "fix the login bug", changedFiles: ["README.md"], event: "pr-comment" })).toEqual(
      [],
    );
  });

  it("puts only names and descriptions in the context, and a body only when its triggers match or it is asked for", async () => {
    const all = await skills();
    const quiet = roundSkillContext(all, { text: "fix the login bug" });
    expect(quiet.index.text).toBe(
      "- release-notes: Draft release notes from the changelog.\n- verify-page: Verify a local page with a screenshot.",
    );
    expect(quiet.loaded).toEqual([]);
    expect(JSON.stringify(quiet)).not.toContain("SECRET-BODY");

    const triggered = roundSkillContext(
      all,
      { text: "take a screenshot of the home page" },
      { requested: ["release-notes"] },
    );
    expect(triggered.loaded.map((l) => [l.name, l.reasons])).toEqual([
      ["release-notes", ["requested"]],
      ["verify-page", ['keyword "screenshot"']],
    ]);
    expect(triggered.loaded[0]!.references).toEqual(["references/style.md"]);
    expect(triggered.loaded[1]!.body).toContain("SECRET-BODY-VERIFY");
  });

  it("keeps the index within its budget however many skills there are, and says how many were left out", async () => {
    const [one] = await skills();
    const many = Array.from({ length: 200 }, (_, i) => ({
      ...one!,
      name: `skill-${i}`,
      description: "A fairly long description. ".repeat(10),
    }));
    const index = skillIndex(many, 1000);
    expect(index.text.length).toBeLessThanOrEqual(1000);
    expect(index.listed.length).toBeGreaterThan(3);
    expect(index.listed.length + index.omitted.length).toBe(200);
    expect(index.text).toMatch(new RegExp(`\\(\\+${index.omitted.length} more skills: call skill\\.list\\)$`));
  });

  it("reads a reference file on request but nothing outside the skill", async () => {
    const [release] = await skills();
    expect(await readSkillFile(release!, "references/style.md")).toBe("# Style\n");
    expect(await readSkillFile(release!)).toContain("name: release-notes");
    await expect(readSkillFile(release!, "../verify-page/SKILL.md")).rejects.toThrow(/outside the skill/);
    await expect(readSkillFile(release!, "references/none.md")).rejects.toThrow(/has no file/);
  });
});

describe("trigger globs", () => {
  it("understands **, *, ? and {a,b}, and a bare name matches at any depth", () => {
    expect(matchesGlob("src/a/b/c.tsx", "src/**/*.{ts,tsx}")).toBe(true);
    expect(matchesGlob("src/c.ts", "src/**/*.ts")).toBe(true);
    expect(matchesGlob("lib/c.ts", "src/**/*.ts")).toBe(false);
    expect(matchesGlob("packages/x/CHANGELOG.md", "CHANGELOG.md")).toBe(true);
    expect(matchesGlob("packages/x/CHANGELOG.md", "packages/*/CHANGELOG.md")).toBe(true);
    expect(matchesGlob("packages/x/y/CHANGELOG.md", "packages/*/CHANGELOG.md")).toBe(false);
    expect(matchesGlob("a.md", "?.md")).toBe(true);
  });
});
