import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { link, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { addSkill, prepareSkillAdd } from "./add.js";
import { createSkillsPlugin } from "./plugin.js";
import { skillMd, tempDir, writeTree } from "./test-helpers.js";
import { listSkillFiles } from "./load-skill.js";
import type { Logger, ToolContext } from "@worksite/core";
import { wrapUntrusted } from "@worksite/core";

const LIFECYCLE = [
  "preinstall",
  "install",
  "postinstall",
  "prepublish",
  "preprepare",
  "prepare",
  "postprepare",
  "prepack",
  "postpack",
  "dependencies",
];

/** A skill package folder whose every lifecycle script writes a marker file into `markers`. */
async function scriptedPackage(dir: string, markers: string, name = "worksite-skill-evil"): Promise<void> {
  const scripts = Object.fromEntries(LIFECYCLE.map((s) => [s, `touch ${join(markers, s)}`]));
  await writeTree(dir, {
    "package.json": JSON.stringify({
      name,
      version: "1.0.0",
      keywords: ["worksite-skill"],
      worksite: { skill: "./SKILL.md" },
      scripts,
    }),
    "SKILL.md": skillMd(
      `name: ${name.replace(/^worksite-skill-/, "")}\ndescription: A skill whose package has scripts.\nallowed-tools: shell.run file.read`,
    ),
    "references/notes.md": "notes\n",
  });
}

/** Every path under dir, relative, for comparing what an install wrote. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      out.push(relative(dir, p));
      if (statSync(p).isDirectory() && !statSync(p).isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** A real gzip tarball of `root`'s `package/` folder, made by tar itself (so links stay links). */
function tarball(root: string, file: string, entries = ["package"]): string {
  const out = join(root, file);
  execFileSync("tar", ["-czf", out, "-C", root, ...entries]);
  return out;
}

function context(worksite: string): ToolContext {
  const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
  return {
    worksite,
    run: "test",
    round: 1,
    actor: "agent",
    artifacts: {
      write: async () => {
        throw new Error("no artifacts here");
      },
      list: async () => [],
    },
    signal: new AbortController().signal,
    log,
    untrusted: wrapUntrusted,
    redact: (text) => text,
    check: async () => ({ tier: "allow" }) as never,
  };
}

describe("installing a skill runs nothing and writes only skills/<name>/", () => {
  it("refuses a package whose name is a ../ path, and plants nothing outside the worksite", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    await writeTree(outer, { "site/THREAD.md": "# t\n" });
    for (const name of ["../../planted", "@x/../../planted", "worksite-skill-../../planted"]) {
      const pkgRoot = join(outer, `pkg-${LIFECYCLE.length}-${name.length}`);
      await writeTree(pkgRoot, {
        "package/package.json": JSON.stringify({
          name,
          version: "1.0.0",
          keywords: ["worksite-skill"],
          worksite: { skill: "./SKILL.md" },
        }),
        "package/SKILL.md": skillMd("name: planted\ndescription: Plants a file."),
      });
      const error = await addSkill(tarball(pkgRoot, "p.tgz"), { worksite, cwd: outer }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(UserError);
      expect((error as Error).message, name).toMatch(/not a valid npm package name/);
    }
    expect(existsSync(join(outer, "planted"))).toBe(false);
    expect(existsSync(join(worksite, "planted"))).toBe(false);
    expect(existsSync(join(worksite, "skills"))).toBe(false);
  });

  it("refuses a tarball holding a symbolic link, a hard link, or a ../ entry, before unpacking it", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const config = join(outer, "config");
    await writeTree(outer, { "site/THREAD.md": "# t\n", "config/seal.key": "SEAL-KEY-SECRET\n" });
    const base = {
      "package/package.json": JSON.stringify({
        name: "worksite-skill-linky",
        version: "1.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
      }),
      "package/SKILL.md": skillMd("name: linky\ndescription: Holds a link."),
    };
    const sym = join(outer, "sym");
    await writeTree(sym, base);
    await symlink(config, join(sym, "package/references"));
    const hard = join(outer, "hard");
    await writeTree(hard, base);
    await link(join(hard, "package/SKILL.md"), join(hard, "package/copy.md"));
    const climb = join(outer, "climb");
    await writeTree(climb, { ...base, "escaped.md": "out\n" });
    const climbing = join(climb, "c.tgz");
    // tar keeps a ../ name only when asked to transform it in: a hand-made malicious tarball.
    execFileSync("tar", [
      "-czf",
      climbing,
      "-C",
      climb,
      "package",
      "--transform",
      "s,^escaped.md,package/../../escaped.md,",
      "escaped.md",
    ]);

    for (const [file, why] of [
      [tarball(sym, "s.tgz"), /package\/references \(a symbolic link\)/],
      [tarball(hard, "h.tgz"), /\(a hard link\)/],
      [climbing, /climbs out with \.\./],
    ] as const) {
      const error = await addSkill(file, { worksite, cwd: outer }).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(UserError);
      expect((error as Error).message, file).toMatch(why);
    }
    expect(existsSync(join(worksite, "skills"))).toBe(false);
    expect(existsSync(join(outer, "..", "escaped.md"))).toBe(false);
  });

  it("a skill whose references/ links to the person's config folder lists no file there, and skill.read never prints the key", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const config = join(outer, "config-worksite");
    await writeTree(outer, {
      "site/THREAD.md": "# t\n",
      "site/skills/leaky/SKILL.md": skillMd("name: leaky\ndescription: Reads its references."),
      "site/skills/leaky/scripts/run.sh": "echo hi\n",
      "config-worksite/seal.key": "SEAL-KEY-SECRET\n",
    });
    await symlink(config, join(worksite, "skills/leaky/references"));
    await symlink(join(config, "seal.key"), join(worksite, "skills/leaky/scripts/key.txt"));
    expect(await listSkillFiles(join(worksite, "skills/leaky"))).toEqual({
      scripts: ["scripts/run.sh"],
      references: [],
      assets: [],
    });

    const plugin = createSkillsPlugin();
    const ctx = context(worksite);
    for (const file of ["references/seal.key", "scripts/key.txt", "references/../references/seal.key"]) {
      const error = await plugin.tools.read.run({ name: "leaky", file }, ctx).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(UserError);
      expect(String((error as Error).message) + String((error as UserError).hint), file).not.toContain(
        "SEAL-KEY-SECRET",
      );
    }
    // A SKILL.md that is itself a link is not a skill.
    await mkdir(join(worksite, "skills/linked"));
    await symlink(join(config, "seal.key"), join(worksite, "skills/linked/SKILL.md"));
    const listed = await plugin.tools.list.run({}, ctx);
    expect(listed.content).not.toContain("SEAL-KEY-SECRET");
    const read = await plugin.tools.read.run({ name: "linked" }, ctx).catch((e: unknown) => e as Error);
    expect(String((read as Error).message)).not.toContain("SEAL-KEY-SECRET");
  });

  for (const kind of ["folder", "file:", "git"] as const) {
    it(`a ${kind} spec whose every lifecycle script writes a marker installs without running any, and writes only skills/evil/`, async () => {
      const outer = await tempDir();
      const worksite = join(outer, "site");
      const markers = join(outer, "markers");
      await mkdir(markers);
      await writeTree(outer, { "site/THREAD.md": "# t\n", "site/src/app.ts": "export {};\n" });
      const pkg = join(outer, "evil-pkg");
      await scriptedPackage(pkg, markers);
      let spec: string = pkg;
      if (kind === "file:") spec = `file:${pkg}`;
      if (kind === "git") {
        const git = (...a: string[]) =>
          execFileSync("git", a, {
            cwd: pkg,
            env: {
              ...process.env,
              GIT_AUTHOR_NAME: "t",
              GIT_AUTHOR_EMAIL: "t@t",
              GIT_COMMITTER_NAME: "t",
              GIT_COMMITTER_EMAIL: "t@t",
            },
          });
        git("init", "-q");
        git("add", "-A");
        git("commit", "-qm", "skill");
        spec = `git+file://${pkg}`;
      }
      const before = tree(worksite);
      const pkgBefore = tree(pkg);

      const prepared = await prepareSkillAdd(spec, { worksite, cwd: worksite });
      expect(prepared.plan).toMatchObject({
        name: "evil",
        packageName: "worksite-skill-evil",
        allowedTools: ["shell.run", "file.read"],
      });
      expect(prepared.plan.files).toEqual(["SKILL.md", "package.json", "references/notes.md"]);
      expect(Object.keys(prepared.plan.scripts).sort()).toEqual([...LIFECYCLE].sort());
      expect(tree(worksite)).toEqual(before); // looking writes nothing
      const { skill } = await prepared.install();

      expect(readdirSync(markers)).toEqual([]);
      expect(skill.dir).toBe(join(worksite, "skills/evil"));
      const added = tree(worksite).filter((p) => !before.includes(p));
      expect(
        added.every((p) => p === "skills" || p.startsWith("skills/evil")),
        added.join(", "),
      ).toBe(true);
      expect(tree(pkg).filter((p) => !p.startsWith(".git/") && p !== ".git")).toEqual(
        pkgBefore.filter((p) => !p.startsWith(".git/") && p !== ".git"),
      );
    });
  }

  it("packing an installed skill whose package has scripts runs none of them", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const markers = join(outer, "markers");
    await mkdir(markers);
    await writeTree(outer, { "site/THREAD.md": "# t\n" });
    await scriptedPackage(join(outer, "pkg"), markers);
    const { skill } = await addSkill(join(outer, "pkg"), { worksite, cwd: outer });
    const { packSkill } = await import("./pack.js");
    const packed = await packSkill(skill.dir, { destination: join(outer, "out") });
    expect(existsSync(packed.tarball)).toBe(true);
    expect(readdirSync(markers)).toEqual([]);
  });

  it("says which skill the new one would shadow", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const markers = join(outer, "markers");
    await mkdir(markers);
    await writeTree(outer, {
      "site/THREAD.md": "# t\n",
      "site/node_modules/@acme/skill-evil/package.json": JSON.stringify({
        name: "@acme/skill-evil",
        version: "2.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
      }),
      "site/node_modules/@acme/skill-evil/SKILL.md": skillMd("name: evil\ndescription: The installed one."),
    });
    await scriptedPackage(join(outer, "pkg"), markers);
    const prepared = await prepareSkillAdd(join(outer, "pkg"), { worksite, cwd: outer });
    expect(prepared.plan.shadows).toEqual([
      expect.objectContaining({ name: "evil", source: "package", package: "@acme/skill-evil" }),
    ]);
    await prepared.dispose();
    expect(existsSync(join(worksite, "skills"))).toBe(false);
  });

  it("an installed package's skill is a third party's; the worksite's own folder and first-party skills are not", async () => {
    const outer = await tempDir();
    const worksite = join(outer, "site");
    const markers = join(outer, "markers");
    await mkdir(markers);
    await writeTree(outer, {
      "site/THREAD.md": "# t\n",
      "site/skills/mine/SKILL.md": skillMd("name: mine\ndescription: Written here."),
    });
    await scriptedPackage(join(outer, "pkg"), markers);
    const { skill } = await addSkill(join(outer, "pkg"), { worksite, cwd: outer });
    expect(skill.origin).toBe("third-party");
    // Overwriting the install record (file.write can, where rules allow) does not make the package's text the thread's own.
    await writeFile(join(worksite, "skills/evil/.worksite-install.json"), "garbage");
    const mine = await readFile(join(worksite, "skills/mine/SKILL.md"), "utf8");
    expect(mine).toContain("Written here");
    const { discoverSkills } = await import("./discovery.js");
    const found = await discoverSkills({ worksite });
    expect(found.skills.map((s) => [s.name, s.origin])).toEqual([
      ["evil", "third-party"],
      ["mine", "worksite"],
    ]);
  });
});
