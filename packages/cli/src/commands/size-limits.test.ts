import { spawn } from "node:child_process";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/*
 * Issue 21 item 5: files a little too big, or YAML that expands without end, get a FILE error
 * that names the limit, never a stack trace. `worksite check` runs as the real process here.
 */
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");
const MiB = 1024 * 1024;

const THREAD = "---\nstage: write\n---\n# Big files\n\n## Owns\n- src/\n";
const GOAL = "# Goal\n\nKeep src/ tidy.\n\n## Scope\n- do not change LICENSE\n";
const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n\n## Forbidden\n- `shell.run(rm -rf)`\n";

function check(cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "check"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Grows `file` to about 50 MB of list lines (≥130,000 of them), as issue 21 did. */
async function growTo50MB(file: string, line: string): Promise<void> {
  const chunk = line.repeat(Math.ceil(MiB / line.length));
  for (let i = 0; i < 50; i++) await appendFile(file, chunk);
}

/** `head` plus list lines up to just under the limit: ≥250,000 lines. */
function justUnder(head: string, line: string): string {
  return head + line.repeat(Math.floor((MiB - head.length) / line.length));
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|Maximum call stack/);

describe("worksite check on files past their size limit", () => {
  it("answers a 50 MB GOAL.md and a 50 MB PERMISSIONS.md with a FILE error naming the 1 MiB limit", async () => {
    const root = await tempWorksite({ "THREAD.md": THREAD, "GOAL.md": GOAL, "PERMISSIONS.md": PERMISSIONS });
    await growTo50MB(join(root, "GOAL.md"), "- Do not change `src/generated/file.ts`\n");
    await growTo50MB(join(root, "PERMISSIONS.md"), "- `file.write(src/generated/file.ts)`\n");
    const r = await check(root);
    expect(r.code).toBe(1);
    noStack(r.stderr);
    expect(r.stderr).toMatch(
      /^GOAL\.md:1: error: GOAL\.md is 50\.\d MiB; the limit is 1 MiB, so it was not read\n {2}hint: .*keep each under the limit/m,
    );
    expect(r.stderr).toMatch(/^PERMISSIONS\.md:1: error: PERMISSIONS\.md is 50\.\d MiB; the limit is 1 MiB/m);
    expect(r.stderr).toContain("2 errors in the worksite");
  }, 60_000);

  it("reads a GOAL.md and a PERMISSIONS.md just under the limit, each with 250,000 list lines", async () => {
    const goal = justUnder(GOAL, "- a\n");
    const permissions = justUnder(`${PERMISSIONS}\n## Allow\n`, "- x\n");
    expect(goal.split("\n").length).toBeGreaterThan(250_000);
    const root = await tempWorksite({ "THREAD.md": THREAD, "GOAL.md": goal, "PERMISSIONS.md": permissions });
    const r = await check(root);
    noStack(r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok: 2 rules");
  }, 60_000);

  it("answers a YAML alias bomb in PERMISSIONS.md with a FILE error, not gigabytes", async () => {
    const bomb = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let n = 1; n < 9; n++)
      bomb.push(
        `l${n}: &l${n} [${Array(9)
          .fill(`*l${n - 1}`)
          .join(",")}]`,
      );
    const root = await tempWorksite({
      "THREAD.md": THREAD,
      "GOAL.md": GOAL,
      "PERMISSIONS.md": `---\n${bomb.join("\n")}\ndefault: *l8\n---\n${PERMISSIONS}`,
    });
    const r = await check(root);
    expect(r.code).toBe(1);
    noStack(r.stderr);
    expect(r.stderr).toMatch(
      /^PERMISSIONS\.md:3:1: error: YAML aliases \(\*name\) here expand to far more than is written/m,
    );
    expect(r.stderr.length).toBeLessThan(2_000);
  }, 60_000);
});

describe("skill check and skill list on a large SKILL.md", () => {
  const run = (cwd: string, ...argv: string[]) => runCli(argv, cwd, { ...process.env, WORKSITE_SKILLS_PATH: "" });
  const head = (name: string) =>
    `---\nname: ${name}\ndescription: A skill with long lists\n---\n\n# ${name}\n\n## Failure modes\n- slow → wait\n\n## Done when\n`;

  it("checks and lists a SKILL.md just under 1 MiB with 250,000 list lines", async () => {
    const root = await tempWorksite({ "THREAD.md": THREAD, "skills/long/SKILL.md": justUnder(head("long"), "- a\n") });
    const checked = await run(root, "skill", "check", "skills/long");
    expect(checked).toMatchObject({ code: 0, err: "" });
    expect(checked.out).toContain("ok long");
    const listed = await run(root, "skill", "list");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^long\s/m);
  });

  it("refuses a SKILL.md over 1 MiB with a SKILL.md error naming the limit, in check and in list", async () => {
    const root = await tempWorksite({
      "THREAD.md": THREAD,
      "skills/huge/SKILL.md": head("huge") + "- a\n".repeat(300_000),
    });
    const checked = await run(root, "skill", "check", "skills/huge");
    expect(checked.code).toBe(1);
    expect(checked.err).toMatch(
      /^skills\/huge\/SKILL\.md:1: error: SKILL\.md is 1\.1 MiB; the limit is 1 MiB, so it was not read\n {2}hint: .*references\//m,
    );
    noStack(checked.err);
    const listed = await run(root, "skill", "list");
    expect(listed.err).toMatch(/SKILL\.md is 1\.1 MiB; the limit is 1 MiB/);
    noStack(listed.err);
  });
});
