import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandIO } from "../io.js";
import { main } from "../main.js";

async function worksite(stage = "write"): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "worksite-explain-"));
  await mkdir(join(root, "src"));
  await writeFile(join(root, "THREAD.md"), `---\nstage: ${stage}\n---\n# Explain test\n\n## Owns\n- src/\n`);
  await writeFile(join(root, "GOAL.md"), "## Goal\nKeep src tidy.\n");
  await writeFile(
    join(root, "PERMISSIONS.md"),
    [
      "# Permissions",
      "",
      "## Allow",
      "- `shell.run(npm test)`",
      "- `browser.open(https://*.example.com/**)`",
      "",
      "## Forbidden",
      "- `shell.run(rm -rf)`",
      "",
    ].join("\n"),
  );
  return root;
}

async function explain(root: string, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = { cwd: root, env: process.env, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await main(["permissions", "explain", ...argv, "-w", root], io);
  return { code, stdout, stderr };
}

describe("worksite permissions explain", () => {
  it("prints the tier, the deciding rule as PERMISSIONS.md:LINE and the reason", async () => {
    const root = await worksite();
    const r = await explain(root, "shell.run", "npm test && rm -rf /");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tier\s+forbidden/);
    expect(r.stdout).toContain("PERMISSIONS.md:8  `shell.run(rm -rf)`");
    expect(r.stdout).toMatch(/reason\s+.*rm -rf \//);
  });

  it("--json prints tier, rule and reason", async () => {
    const root = await worksite();
    const r = await explain(root, "shell.run", "npm test -- --watch", "--json");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ tier: "allow", rule: { file: "PERMISSIONS.md", line: 4, text: "shell.run(npm test)" }, effect: "external", targetKind: "command" });
    expect(out.reason).toContain("PERMISSIONS.md:4");
  });

  it("answers for a tool that is not loaded, inferring its effect and reading the target by the rule's kind", async () => {
    const root = await worksite();
    const allowed = JSON.parse((await explain(root, "browser.open", "https://APP.example.com./x", "--json")).stdout);
    expect(allowed).toMatchObject({ tier: "allow", effect: "external", effectFrom: "inferred from the name", targetKind: "url" });
    const dodged = JSON.parse((await explain(root, "browser.open", "https://app.example.com@evil.com/", "--json")).stdout);
    expect(dodged.tier).toBe("confirm");
    expect(dodged.rule).toBeNull();
    const read = JSON.parse((await explain(root, "browser.snapshot", "--json")).stdout);
    expect(read).toMatchObject({ tier: "read-only", effect: "read", by: "default" });
  });

  it("shows the stage clamp, and --stage asks about another stage", async () => {
    const root = await worksite("draft");
    const r = JSON.parse((await explain(root, "shell.run", "npm test", "--json")).stdout);
    expect(r).toMatchObject({ tier: "draft", clamped: true, stage: "draft" });
    expect(JSON.parse((await explain(root, "shell.run", "npm test", "--stage", "write", "--json")).stdout).tier).toBe("allow");
  });

  it("refuses an unknown --effect with a hint, and a missing tool", async () => {
    const root = await worksite();
    const bad = await explain(root, "x.y", "--effect", "loud");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--effect must be one of read, write, external");
    expect((await explain(root)).stderr).toContain("which tool?");
  });
});
