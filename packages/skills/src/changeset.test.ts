import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadSkill } from "./load-skill.js";
import { tempDir, writeTree } from "./test-helpers.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const requireFromRepo = createRequire(join(repo, "package.json"));
const changesetBin = join(repo, "node_modules/@changesets/cli/bin.js");

describe("versions of a skill package, managed by changesets", () => {
  it("changeset version bumps a first-party skill and writes its CHANGELOG", async () => {
    const root = await tempDir("skills-changeset-");
    // A copy of the real first-party skill in a minimal workspace, so the repository itself is never touched.
    await cp(join(repo, "skills/verify-page"), join(root, "skills/verify-page"), { recursive: true });
    await writeTree(root, {
      "package.json": JSON.stringify({ name: "changeset-copy", private: true, workspaces: ["skills/*"] }),
      ".changeset/config.json": JSON.stringify({
        // Resolved absolutely: this temp folder has no node_modules of its own.
        changelog: requireFromRepo.resolve("@changesets/cli/changelog"),
        commit: false,
        fixed: [],
        linked: [],
        access: "public",
        baseBranch: "main",
        updateInternalDependencies: "patch",
        ignore: [],
      }),
      ".changeset/quick-pages-wait.md":
        '---\n"@worksite/skill-verify-page": minor\n---\n\nWaits for network idle before the screenshot.\n',
    });
    const before = JSON.parse(await readFile(join(root, "skills/verify-page/package.json"), "utf8")) as {
      version: string;
    };
    expect(before.version).toBe("0.1.0");

    await promisify(execFile)(process.execPath, [changesetBin, "version"], { cwd: root });

    const after = JSON.parse(await readFile(join(root, "skills/verify-page/package.json"), "utf8")) as {
      version: string;
    };
    expect(after.version).toBe("0.2.0");
    const changelog = await readFile(join(root, "skills/verify-page/CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/## 0\.2\.0\n\n### Minor Changes\n\n- Waits for network idle before the screenshot\./);
    expect(changelog).toContain("## 0.1.0");
    expect(existsSync(join(root, ".changeset/quick-pages-wait.md"))).toBe(false);
    // Still a valid skill, and discovery reports the new version.
    expect((await loadSkill(join(root, "skills/verify-page"))).package?.version).toBe("0.2.0");
  });
});
