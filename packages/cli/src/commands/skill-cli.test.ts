import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";
import { tempDir } from "@worksite/test-support";

const worksite = (files: Record<string, string> = {}) =>
  tempWorksite({ "THREAD.md": "# thread\n", ...files }, "cli-skill-");
const run = (cwd: string, ...argv: string[]) => runCli(argv, cwd, { ...process.env, WORKSITE_SKILLS_PATH: "" });

const skill = (name: string, description: string) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n# ${name}\n`;

describe("worksite skill", () => {
  it("new + pack in one worksite, add the tarball in a second worksite, and list it there", async () => {
    const first = await worksite();
    const second = await worksite();

    const created = await run(first, "skill", "new", "demo");
    expect(created).toMatchObject({ code: 0, err: "" });
    expect(created.out).toContain("created skills/demo/");
    expect(existsSync(join(first, "skills/demo/package.json"))).toBe(true);
    expect((await run(first, "skill", "check", "skills/demo")).code).toBe(0);

    const packed = await run(first, "skill", "pack", "demo", "--out", second);
    expect(packed.err).toBe("");
    expect(packed.code).toBe(0);
    expect(existsSync(join(second, "worksite-skill-demo-0.1.0.tgz"))).toBe(true);

    const added = await run(second, "skill", "add", "./worksite-skill-demo-0.1.0.tgz", "--yes");
    expect(added).toMatchObject({ code: 0, err: "" });
    expect(added.out).toMatch(/added demo worksite-skill-demo@0\.1\.0 in skills\/demo\n$/);

    const listed = await run(second, "skill", "list");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^demo\s+worksite\s+worksite-skill-demo@0\.1\.0\n/);
    const json = JSON.parse((await run(second, "skill", "list", "--json")).out) as {
      skills: { name: string; source: string; package?: { version: string } }[];
    };
    expect(json.skills.find((s) => s.name === "demo")).toMatchObject({
      source: "worksite",
      package: { version: "0.1.0" },
    });

    const shown = await run(second, "skill", "show", "demo");
    expect(shown.out).toContain('1. file.read {"path":"{{path}}"}');
    expect(shown.out).toContain("Steps (needs {{path}})");
  });

  it("add shows the files, the scripts it will not run and allowed-tools, and without a terminal installs only with --yes", async () => {
    const site = await worksite({
      "pkg/package.json": JSON.stringify({
        name: "worksite-skill-shown",
        version: "1.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
        scripts: { prepare: "touch prepared-marker" },
      }),
      "pkg/SKILL.md": "---\nname: shown\ndescription: Shows itself.\nallowed-tools: shell.run\n---\n\n# shown\n",
      "pkg/references/a.md": "a\n",
    });
    const asked = await run(site, "skill", "add", "./pkg");
    expect(asked.code).toBe(1);
    expect(asked.out).toContain("worksite-skill-shown@1.0.0 (folder) → skills/shown");
    expect(asked.out).toContain("    references/a.md");
    expect(asked.out).toContain("scripts (NOT run, now or later, by worksite):\n    prepare: touch prepared-marker");
    expect(asked.out).toContain("allowed-tools: shell.run");
    expect(asked.err).toContain("skill add asks before installing, and there is no terminal to ask on");
    expect(asked.err).toContain("worksite skill add ./pkg --yes");
    expect(existsSync(join(site, "skills"))).toBe(false);

    const added = await run(site, "skill", "add", "./pkg", "--yes");
    expect(added).toMatchObject({ code: 0, err: "" });
    expect(added.out).toMatch(/added shown worksite-skill-shown@1\.0\.0 in skills\/shown\n$/);
    expect(existsSync(join(site, "pkg/prepared-marker"))).toBe(false);
    expect(existsSync(join(site, "prepared-marker"))).toBe(false);
  });

  it("new's next-step commands run as printed from where the person stands, inside --worksite or outside any worksite", async () => {
    const root = await worksite();
    const parent = dirname(root);
    const created = await run(parent, "skill", "new", "nextstep", "-w", root);
    expect(created.code).toBe(0);
    const line = /then: (.+)\n/.exec(created.out)?.[1] ?? "";
    expect(line).toBe(
      `worksite skill check ${basename(root)}/skills/nextstep --worksite ${basename(root)} && worksite skill pack nextstep --worksite ${basename(root)}`,
    );
    for (const command of line.split(" && ")) {
      const [, ...argv] = command.split(" ");
      const ran = await run(parent, ...argv, ...(argv[1] === "pack" ? ["--out", root] : []));
      expect(ran, command).toMatchObject({ code: 0 });
    }
    expect(existsSync(join(root, "worksite-skill-nextstep-0.1.0.tgz"))).toBe(true);

    const outside = await tempDir("cli-skill-outside-");
    const loose = await run(outside, "skill", "new", "loose");
    const pack = /&& (worksite skill pack .+)\n/.exec(loose.out)?.[1] ?? "";
    expect(pack).toBe("worksite skill pack skills/loose");
    expect(await run(outside, ...pack.split(" ").slice(1))).toMatchObject({ code: 0 });
  });

  it("check exits 1 with SKILL.md:LINE for a missing description, a bad name and a name unlike its folder", async () => {
    const dir = await worksite({
      "skills/no-description/SKILL.md": "---\nname: no-description\n---\n\nbody\n",
      "skills/Bad_Name/SKILL.md": "---\ndescription: fine\nname: Bad_Name\n---\n\nbody\n",
      "skills/deploy/SKILL.md": skill("release", "a name that is not its folder"),
      "skills/good/SKILL.md": skill("good", "fine"),
    });
    const checked = await run(dir, "skill", "check", "skills");
    expect(checked.code).toBe(1);
    expect(checked.err).toContain(
      'skills/Bad_Name/SKILL.md:3: error: name "Bad_Name" is not lowercase letters, digits and single hyphens',
    );
    expect(checked.err).toContain('skills/deploy/SKILL.md:2: error: name "release" does not match its folder "deploy"');
    expect(checked.err).toContain("skills/no-description/SKILL.md:1: error: description is missing");
    expect(checked.out).toContain("ok good");
    expect(checked.out).toContain("1 of 4 skills ok");
    expect(checked.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace

    const single = await run(dir, "skill", "check", "skills/no-description/SKILL.md");
    expect(single.code).toBe(1);
    expect(JSON.parse((await run(dir, "skill", "check", "skills/deploy", "--json")).out)).toMatchObject({
      ok: false,
      results: [{ ok: false, diagnostics: [{ line: 2 }] }],
    });
  });

  it("check passes every first-party skill", async () => {
    const repoSkills = fileURLToPath(new URL("../../../../skills", import.meta.url));
    const checked = await run(dirname(repoSkills), "skill", "check", "skills");
    expect(checked.err).toBe("");
    expect(checked.code).toBe(0);
    for (const name of ["verify-page", "release-notes", "approvals-digest"])
      expect(checked.out).toContain(`ok ${name}`);
  });

  it("check warns about a step tool one slip from a tool the worksite's session has, and only checks the shape outside a worksite", async () => {
    const steps =
      "## Steps\n\n```yaml\n- tool: file.wrte\n  input: {}\n- tool: thread.statsu\n  input: {}\n- tool: mail.send\n  input: {}\n```\n";
    const dir = await tempDir("cli-skill-");
    expect((await run(dir, "init", dir)).code).toBe(0); // a whole worksite, so its session opens
    await mkdir(join(dir, "skills/slips"), { recursive: true });
    await writeFile(join(dir, "skills/slips/SKILL.md"), `${skill("slips", "fine")}\n${steps}`);
    const checked = await run(dir, "skill", "check");
    expect(checked.code).toBe(0);
    expect(checked.out).toContain(
      "skills/slips/SKILL.md:11: warning: step 1: `file.wrte` is not a file tool\n  hint: did you mean `file.write`?",
    );
    expect(checked.out).toContain(
      "step 2: `thread.statsu` is not a thread tool\n  hint: did you mean `thread.status`?",
    );
    expect(checked.out).not.toContain("mail.send");

    const outside = await tempDir("cli-skill-outside-");
    const loose = await run(outside, "skill", "new", "loose");
    expect(loose.code).toBe(0);
    await writeFile(join(outside, "skills/loose/SKILL.md"), `${skill("loose", "fine")}\n${steps}`);
    const shapeOnly = await run(outside, "skill", "check");
    expect(shapeOnly).toMatchObject({ code: 0, err: "" });
    expect(shapeOnly.out).not.toContain("warning");
  });

  it("list says which skill is shadowed by a nearer one of the same name", async () => {
    const dir = await worksite({
      "skills/deploy/SKILL.md": skill("deploy", "ours"),
      "node_modules/@acme/skill-deploy/package.json": JSON.stringify({
        name: "@acme/skill-deploy",
        version: "2.0.0",
        keywords: ["worksite-skill"],
        worksite: { skill: "./SKILL.md" },
      }),
      "node_modules/@acme/skill-deploy/SKILL.md": skill("deploy", "theirs"),
    });
    const listed = await run(dir, "skill", "list");
    expect(listed.out).toContain(
      "shadowed: deploy from package @acme/skill-deploy@2.0.0 — worksite skills/deploy is used instead",
    );
    const json = JSON.parse((await run(dir, "skill", "list", "--json")).out) as { shadowed: unknown[] };
    expect(json.shadowed).toEqual([
      expect.objectContaining({ name: "deploy", source: "package", by: { source: "worksite", path: "skills/deploy" } }),
    ]);
  });

  it("show names a close match for a misspelt skill", async () => {
    const dir = await worksite({ "skills/deploy/SKILL.md": skill("deploy", "ours") });
    const shown = await run(dir, "skill", "show", "deplyo");
    expect(shown.code).toBe(1);
    expect(shown.err).toContain("did you mean deploy?");
  });

  it("check without a path checks the worksite's skills/: the one -w names, else the one around the cwd", async () => {
    const site = await worksite({ "skills/broken/SKILL.md": "---\nname: broken\n---\n\nbody\n", "src/": "" });
    const elsewhere = await worksite({ "skills/fine/SKILL.md": skill("fine", "fine") });
    const named = await run(elsewhere, "skill", "check", "-w", site);
    expect(named.code).toBe(1);
    expect(named.err).toContain("SKILL.md:1: error: description is missing");
    expect(named.out).not.toContain("fine");
    const inside = await run(join(site, "src"), "skill", "check");
    expect(inside.code).toBe(1);
    expect(inside.err).toContain("../skills/broken/SKILL.md:1: error: description is missing");
    expect((await run(elsewhere, "skill", "check")).out).toContain("ok fine");
  });
});
