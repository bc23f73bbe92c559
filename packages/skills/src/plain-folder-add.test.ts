import { existsSync } from "node:fs";
import { link, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addSkill } from "./add.js";
import { readSkillFile } from "./disclosure.js";
import { INSTALL_RECORD } from "./install-record.js";
import { loadSkill } from "./load-skill.js";
import { nameFromPackage } from "./package-info.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";

describe("skill add of a plain skill folder (no package.json)", () => {
  it("installs the folder as SKILL.md names it, without .git or node_modules, as a third party's text", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "downloads/pdf-main/SKILL.md": skillMd("name: pdf\ndescription: Fill PDF forms. Use for PDFs."),
      "downloads/pdf-main/FORMS.md": "forms\n",
      "downloads/pdf-main/.git/HEAD": "ref: refs/heads/main\n",
      "downloads/pdf-main/node_modules/x/index.js": "",
    });
    const { skill } = await addSkill("downloads/pdf-main", { worksite: root, cwd: root });
    expect(skill.name).toBe("pdf");
    expect(skill.origin).toBe("third-party");
    expect(await readFile(join(root, "skills/pdf/FORMS.md"), "utf8")).toBe("forms\n");
    expect(existsSync(join(root, "skills/pdf/.git"))).toBe(false);
    expect(existsSync(join(root, "skills/pdf/node_modules"))).toBe(false);
    expect(JSON.parse(await readFile(join(root, "skills/pdf", INSTALL_RECORD), "utf8"))).toMatchObject({
      package: "",
      kind: "folder",
      from: "downloads/pdf-main",
    });
  });

  it("attack: a file that is a link to the person's files is refused, and nothing is installed", async () => {
    const root = await tempDir();
    await writeTree(root, { "s/SKILL.md": skillMd("name: s\ndescription: d") });
    await symlink("/etc/passwd", join(root, "s/passwd.md"));
    await expect(addSkill("s", { worksite: root, cwd: root })).rejects.toThrow(
      "refusing to install s: passwd.md is not a plain file",
    );
    expect(existsSync(join(root, "skills"))).toBe(false);
  });

  it("attack: a hard link out of the folder is refused", async () => {
    const root = await tempDir();
    await writeTree(root, { "s/SKILL.md": skillMd("name: s\ndescription: d"), "secret.txt": "secret\n" });
    await link(join(root, "secret.txt"), join(root, "s/notes.md"));
    await expect(addSkill("s", { worksite: root, cwd: root })).rejects.toThrow("notes.md is not a plain file");
  });

  it("attack: a SKILL.md name that is a path never becomes a folder outside skills/", async () => {
    const root = await tempDir();
    for (const name of ["../../escape", "a/b", ".", "..", "A"]) {
      await writeTree(root, { "s/SKILL.md": skillMd(`name: "${name}"\ndescription: d`) });
      await expect(addSkill("s", { worksite: root, cwd: root }), name).rejects.toThrow(/not a valid skill|folder name/);
    }
    expect(existsSync(join(root, "skills"))).toBe(false);
    expect(existsSync(join(root, "..", "escape"))).toBe(false);
  });

  it("a broken SKILL.md is named as the person gave it, never as a temporary folder", async () => {
    const root = await tempDir();
    await writeTree(root, { "s/SKILL.md": skillMd("name: s") });
    const error = await addSkill("s", { worksite: root, cwd: root }).catch((e: Error & { diagnostics?: unknown }) => e);
    expect(JSON.stringify(error.diagnostics)).toContain('"file":"s (SKILL.md)"');
    expect(JSON.stringify(error)).not.toMatch(/worksite-skill-add-/);
  });
});

describe("reading an installed real skill's files", () => {
  it("any file SKILL.md points to is readable (FORMS.md, reference/); the install record and .git are not", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "src/SKILL.md": skillMd("name: forms\ndescription: Fill forms. Use for forms.", "\nSee [FORMS.md](FORMS.md).\n"),
      "src/FORMS.md": "# Forms\n",
      "src/reference/api.md": "# API\n",
      "src/.git/config": "[core]\n",
    });
    const { skill } = await addSkill("src", { worksite: root, cwd: root });
    expect(await readSkillFile(skill, "FORMS.md")).toBe("# Forms\n");
    expect(await readSkillFile(skill, "reference/api.md")).toBe("# API\n");
    await expect(readSkillFile(skill, INSTALL_RECORD)).rejects.toThrow(/has no file/);
    await expect(readSkillFile(skill, ".git/config")).rejects.toThrow(/has no file/);
    await expect(readSkillFile(skill, "../../etc/passwd")).rejects.toThrow(/outside the skill/);
  });
});

describe("package names and skill names", () => {
  it("strips one prefix only, so worksite-skill-skill-x is the skill skill-x", () => {
    expect(nameFromPackage("worksite-skill-skill-x")).toBe("skill-x");
    expect(nameFromPackage("worksite-skill-worksite-skill-y")).toBe("worksite-skill-y");
    expect(nameFromPackage("@acme/skill-deploy")).toBe("deploy");
    expect(nameFromPackage("@worksite/skill-verify-page")).toBe("verify-page");
  });

  it("a folder named in another normalisation form of the same name still matches (NFKC, as the validator)", async () => {
    const root = await tempDir();
    // "ﬁle" (U+FB01 ligature) is "file" under NFKC.
    await writeTree(root, { "ﬁle/SKILL.md": skillMd("name: file\ndescription: d") });
    expect((await loadSkill(join(root, "ﬁle"))).name).toBe("file");
  });
});
