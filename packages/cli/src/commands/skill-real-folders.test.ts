import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/** Eight Apache-2.0 skill folders copied unchanged from a public repository (see test/fixtures/skills/README.md). */
const FIXTURES = resolve(fileURLToPath(import.meta.url), "../../../../../test/fixtures/skills");
const REAL = [
  "algorithmic-art",
  "brand-guidelines",
  "frontend-design",
  "internal-comms",
  "mcp-builder",
  "slack-gif-creator",
  "web-artifacts-builder",
  "webapp-testing",
];

const worksite = (files: Record<string, string> = {}) =>
  tempWorksite({ "THREAD.md": "# thread\n", ...files }, "cli-skill-real-");
const run = (cwd: string, ...argv: string[]) => runCli(argv, cwd, { ...process.env, WORKSITE_SKILLS_PATH: "" });

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.sort();
}

const tarList = (tgz: string) =>
  execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l && !l.endsWith("/"))
    .map((l) => l.replace(/^package\//, ""))
    .sort();

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, stdio: "pipe" });

describe("real public skill folders (no package.json) install, list, show and pack unchanged", () => {
  it.each(REAL)("%s: skill add <folder>, show lists every file, pack holds every file", async (name) => {
    const site = await worksite();
    const out = await worksite();
    const source = join(FIXTURES, name);
    const files = await filesUnder(source);
    expect(files).toContain("LICENSE.txt");

    const added = await run(site, "skill", "add", source, "--yes");
    expect(added.err).toBe("");
    expect(added.code).toBe(0);
    expect(added.out).toContain(`(folder) → skills/${name}\n`);
    expect(added.out).toContain(`  files (${files.length}):\n`);
    expect(added.out).toMatch(new RegExp(`added ${name} in skills/${name}\\n$`));
    for (const f of files)
      expect(await readFile(join(site, "skills", name, f)), f).toEqual(await readFile(join(source, f)));

    const shown = await run(site, "skill", "show", name);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`Files (${files.length})\n${files.map((f) => `  ${f}`).join("\n")}\n`);

    const packed = await run(site, "skill", "pack", name, "--out", out);
    expect(packed.err).toBe("");
    expect(packed.out).toContain(
      `packed worksite-skill-${name}@0.0.0 → ${relative(site, out)}/worksite-skill-${name}-0.0.0.tgz (${files.length + 1} files)`,
    );
    expect(tarList(join(out, `worksite-skill-${name}-0.0.0.tgz`))).toEqual([...files, "package.json"].sort());
    // The source folder was not touched: no package.json was written into it.
    expect(existsSync(join(source, "package.json"))).toBe(false);
  });

  it("all eight installed side by side are listed, each under its own name", async () => {
    const site = await worksite();
    for (const name of REAL) expect((await run(site, "skill", "add", join(FIXTURES, name), "--yes")).code).toBe(0);
    const listed = await run(site, "skill", "list");
    expect(listed).toMatchObject({ code: 0, err: "" });
    for (const name of REAL) expect(listed.out).toMatch(new RegExp(`^${name}\\s+worksite\\s+skills/${name}$`, "m"));
  });

  it("a packed real folder installs in another worksite with the same files", async () => {
    const first = await worksite();
    const second = await worksite();
    expect((await run(first, "skill", "pack", join(FIXTURES, "mcp-builder"), "--out", second)).code).toBe(0);
    const added = await run(second, "skill", "add", "./worksite-skill-mcp-builder-0.0.0.tgz", "--yes");
    expect(added).toMatchObject({ code: 0, err: "" });
    expect(added.out).toMatch(/added mcp-builder worksite-skill-mcp-builder@0\.0\.0 in skills\/mcp-builder\n$/);
    const original = await filesUnder(join(FIXTURES, "mcp-builder"));
    expect((await filesUnder(join(second, "skills/mcp-builder"))).filter((f) => !f.startsWith("."))).toEqual(
      [...original, "package.json"].sort(),
    );
  });

  it("skill show PATH works outside a worksite and lists every file", async () => {
    const nowhere = await tempWorksite({}, "cli-skill-nowhere-");
    const shown = await run(nowhere, "skill", "show", join(FIXTURES, "internal-comms"));
    expect(shown.err).toBe("");
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/^internal-comms {2}worksite · .*internal-comms\/SKILL\.md\n/);
    expect(shown.out).toContain(
      "Files (6)\n  LICENSE.txt\n  SKILL.md\n  examples/3p-updates.md\n  examples/company-newsletter.md\n  examples/faq-answers.md\n  examples/general-comms.md\n",
    );
  });
});

describe("skill add from a git repository's skill folder", () => {
  async function repoOfSkills(): Promise<string> {
    const repo = await tempWorksite({}, "cli-skill-repo-");
    await cp(join(FIXTURES, "webapp-testing"), join(repo, "skills/webapp-testing"), { recursive: true });
    await cp(join(FIXTURES, "internal-comms"), join(repo, "skills/internal-comms"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "skills");
    git(repo, "tag", "v1");
    return repo;
  }

  it("installs FOLDER from file:// URL#REF:FOLDER and from a local repository path#:FOLDER", async () => {
    const repo = await repoOfSkills();
    const site = await worksite();
    const byUrl = await run(site, "skill", "add", `file://${repo}#v1:skills/webapp-testing`, "--yes");
    expect(byUrl.err).toBe("");
    expect(byUrl.out).toContain("(git) → skills/webapp-testing\n");
    expect(byUrl.out).toContain(
      "note: fetched from git as the repository holds it: no hook, submodule or script was run",
    );
    expect(byUrl.out).toMatch(/added webapp-testing in skills\/webapp-testing\n$/);
    expect(await filesUnder(join(site, "skills/webapp-testing"))).toEqual(
      [".worksite-install.json", ...(await filesUnder(join(FIXTURES, "webapp-testing")))].sort(),
    );

    const byPath = await run(site, "skill", "add", `${repo}#:skills/internal-comms`, "--yes");
    expect(byPath).toMatchObject({ code: 0, err: "" });
    expect(byPath.out).toMatch(/added internal-comms in skills\/internal-comms\n$/);
    expect((await run(site, "skill", "list")).out).toMatch(/^internal-comms\s+worksite/m);
  });

  it("names a missing folder or ref plainly, and never climbs out of the repository", async () => {
    const repo = await repoOfSkills();
    const site = await worksite();
    const missing = await run(site, "skill", "add", `${repo}#:skills/nope`, "--yes");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`error: file://${repo} has no folder skills/nope`);
    const badRef = await run(site, "skill", "add", `file://${repo}#no-such-branch:skills/internal-comms`, "--yes");
    expect(badRef.err).toMatch(/^error: cannot fetch file:\/\/.* at no-such-branch: /);
    const climb = await run(site, "skill", "add", `${repo}#:../../etc`, "--yes");
    expect(climb.err).toContain("error: the folder inside the repository must stay inside it: ../../etc");
    expect(existsSync(join(site, "skills"))).toBe(false);
  });

  it("attack: a folder in the repository that is a link to /etc is refused", async () => {
    const repo = await repoOfSkills();
    execFileSync("ln", ["-s", "/etc", join(repo, "skills/evil")]);
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "evil");
    const site = await worksite();
    const added = await run(site, "skill", "add", `${repo}#:skills/evil`, "--yes");
    expect(added.err).toContain("error: refusing to install skills/evil: it leads outside the repository");
    expect(existsSync(join(site, "skills"))).toBe(false);
  });

  it("attack: a skill file that is a link inside the repository is refused, not copied", async () => {
    const repo = await repoOfSkills();
    execFileSync("ln", ["-s", "/etc/passwd", join(repo, "skills/internal-comms/examples/passwd.md")]);
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "link");
    const site = await worksite();
    const added = await run(site, "skill", "add", `${repo}#:skills/internal-comms`, "--yes");
    expect(added.err).toContain("is not a plain file");
    expect(existsSync(join(site, "skills"))).toBe(false);
  });

  it("attack: git's command transport (ext::) and an option-shaped host run nothing", async () => {
    const site = await worksite();
    const marker = join(site, "pwned");
    const ext = await run(site, "skill", "add", `git+ext::sh -c touch% ${marker}`, "--yes");
    expect(ext.err).toContain("transport 'ext' not allowed");
    const ssh = await run(site, "skill", "add", `ssh://-oProxyCommand=touch%20${marker}/x#:a`, "--yes");
    expect(ssh.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("skill new → pack → add holds for every valid name", () => {
  it.each([["skill-x"], ["worksite-skill-y"], ["a"], ["技能"], ["мой-навык"], ["x".repeat(64)]])("%s", async (name) => {
    const first = await worksite();
    const second = await worksite();
    expect((await run(first, "skill", "new", name)).code).toBe(0);
    const packed = await run(first, "skill", "pack", name, "--out", second, "--json");
    expect(packed.err).toBe("");
    const tarball = (JSON.parse(packed.out) as { tarball: string }).tarball;
    const added = await run(second, "skill", "add", join(first, tarball), "--yes");
    expect(added.err).toBe("");
    expect(added.out).toMatch(new RegExp(`added ${name} worksite-skill-\\S+ in skills/${name}\\n$`));
    const checked = await run(second, "skill", "check");
    expect(checked.code).toBe(0);
    // The template's own description is still there: skill check says so.
    expect(checked.out).toContain(`skills/${name}/SKILL.md:3: warning: the description is still the template's`);
  });
});

describe("skill pack", () => {
  it("packs the whole folder and warns about a file SKILL.md links to that a package.json files list leaves out", async () => {
    const site = await worksite({
      "skills/forms/SKILL.md":
        "---\nname: forms\ndescription: Fill PDF forms. Use for forms.\n---\n\nRead [FORMS.md](FORMS.md) and `reference/api.md`, then run `scripts/fill.py`.\nSee ![shot](examples/shot.png).\n",
      "skills/forms/FORMS.md": "forms\n",
      "skills/forms/reference/api.md": "api\n",
      "skills/forms/scripts/fill.py": "print(1)\n",
      "skills/forms/examples/shot.png": "png\n",
    });
    const whole = await run(site, "skill", "pack", "forms", "--out", "out");
    expect(whole).toMatchObject({ code: 0, err: "" });
    expect(tarList(join(site, "out/worksite-skill-forms-0.0.0.tgz"))).toEqual([
      "FORMS.md",
      "SKILL.md",
      "examples/shot.png",
      "package.json",
      "reference/api.md",
      "scripts/fill.py",
    ]);

    // A package.json written by an older `skill new` listed only SKILL.md and three folders.
    await writeFile(
      join(site, "skills/forms/package.json"),
      JSON.stringify({
        name: "worksite-skill-forms",
        version: "1.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
        files: ["SKILL.md", "scripts", "references", "assets"],
      }),
    );
    const listed = await run(site, "skill", "pack", "forms", "--out", "out");
    expect(listed.code).toBe(0);
    expect(listed.err).toBe(
      [
        "warning: SKILL.md links to FORMS.md, which is not in the package",
        "warning: SKILL.md links to examples/shot.png, which is not in the package",
        "warning: SKILL.md links to reference/api.md, which is not in the package",
      ]
        .map(
          (w) =>
            `${w}\n  hint: remove it from .npmignore, or add it to package.json "files" (or drop that list to pack the whole folder)\n`,
        )
        .join(""),
    );
  });

  it("skill new writes no files list, so what a person adds to the folder is packed", async () => {
    const site = await worksite();
    await run(site, "skill", "new", "demo");
    const pkg = JSON.parse(await readFile(join(site, "skills/demo/package.json"), "utf8")) as { files?: unknown };
    expect(pkg.files).toBeUndefined();
    await writeFile(join(site, "skills/demo/FORMS.md"), "forms\n");
    await run(site, "skill", "pack", "demo", "--out", "out");
    expect(tarList(join(site, "out/worksite-skill-demo-0.1.0.tgz"))).toContain("FORMS.md");
  });
});
