import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { addSkill } from "./add.js";
import { discoverSkills } from "./discovery.js";
import { packSkill } from "./pack.js";
import { scaffoldSkill } from "./scaffold.js";
import { tempDir, writeTree } from "./test-helpers.js";

describe("sharing a skill as an npm package", () => {
  it("packs a new skill with npm pack and installs the tarball into a second worksite's skills/", async () => {
    const first = await tempDir();
    const second = await tempDir();
    await writeTree(first, { "THREAD.md": "# a\n" });
    await writeTree(second, { "THREAD.md": "# b\n" });

    const made = await scaffoldSkill("demo", { root: first });
    expect(made.files).toContain("package.json");
    const packed = await packSkill(made.dir, { destination: join(first, "dist") });
    expect(basename(packed.tarball)).toBe("worksite-skill-demo-0.1.0.tgz");
    expect(existsSync(packed.tarball)).toBe(true);

    const added = await addSkill(packed.tarball, { worksite: second, cwd: first });
    expect(added.skill.name).toBe("demo");
    expect(added.skill.dir).toBe(join(second, "skills", "demo"));
    expect(added.skill.package).toMatchObject({ name: "worksite-skill-demo", version: "0.1.0" });
    expect(added.skill.files.references).toEqual(["references/README.md"]);
    expect(added.skill.sections.steps?.map((s) => s.tool)).toEqual(["file.read", "shell.run"]);

    const found = await discoverSkills({ worksite: second });
    expect(found.skills.filter((s) => s.source === "worksite").map((s) => s.name)).toEqual(["demo"]);

    await expect(addSkill(packed.tarball, { worksite: second, cwd: first })).rejects.toThrow(
      /skills\/demo already exists/,
    );
    expect((await addSkill(packed.tarball, { worksite: second, cwd: first, force: true })).replaced).toBe(true);
  });

  it("refuses to pack a skill whose SKILL.md is broken", async () => {
    const root = await tempDir();
    const made = await scaffoldSkill("demo", { root });
    const file = join(made.dir, "SKILL.md");
    await writeFile(file, (await readFile(file, "utf8")).replace("name: demo", "name: Demo"));
    await expect(packSkill(made.dir, { destination: root })).rejects.toMatchObject({
      diagnostics: expect.arrayContaining([expect.objectContaining({ line: 2, severity: "error" })]),
    });
  });

  it("refuses a folder that holds neither a SKILL.md nor a package declaring one", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "plain/package.json": JSON.stringify({ name: "plain-pkg", version: "1.0.0" }),
      "plain/index.js": "",
    });
    await expect(addSkill("plain", { worksite: root, cwd: root })).rejects.toThrow(/^plain holds no SKILL\.md$/);
  });

  it("a missing tarball or folder path is named as a missing file, not handed to npm", async () => {
    const root = await tempDir();
    for (const spec of ["/nonexist.tgz", "nonexist.tar.gz", "./missing-skill", "../missing-skill"]) {
      const error = await addSkill(spec, { worksite: root, cwd: root }).then(
        () => undefined,
        (e: unknown) => e as Error & { hint?: string },
      );
      expect(error, spec).toBeInstanceOf(UserError);
      expect(error?.message, spec).toMatch(new RegExp(`^no such file: ${spec.replace(/[./]/g, "\\$&")}`));
      expect(error?.message, spec).not.toMatch(/npm|ENOENT/);
      expect(error?.hint, spec).toMatch(/check the path/);
    }
    expect(existsSync(join(root, "skills"))).toBe(false);
  });
});
