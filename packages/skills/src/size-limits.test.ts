import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatDiagnostic, UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { loadSkill } from "./load-skill.js";
import { parseSections } from "./sections.js";
import { tempDir } from "./test-helpers.js";

/** Nine levels of nine aliases: 9^9 strings once expanded, in a few hundred bytes. */
function aliasBomb(key: string, indent = ""): string {
  const lines = [`${indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let n = 1; n < 9; n++)
    lines.push(
      `${indent}l${n}: &l${n} [${Array(9)
        .fill(`*l${n - 1}`)
        .join(",")}]`,
    );
  lines.push(`${indent}${key}: *l8`);
  return lines.join("\n");
}

async function skillDir(text: string): Promise<string> {
  const dir = join(await tempDir(), "demo");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "SKILL.md"), text);
  return dir;
}

async function problemsOf(dir: string): Promise<string[]> {
  const error = await loadSkill(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!UserError.isUserError(error)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error.diagnostics.map(formatDiagnostic);
}

describe("SKILL.md size and YAML limits", () => {
  it("reads failure modes and done-when lists of 250,000 lines without overflowing the stack", () => {
    const body = `## Failure modes\n${"- slow → wait\n".repeat(125_000)}\n## Done when\n${"- ok\n".repeat(125_000)}\n## When to use\nkeywords: ${Array(150_000).fill("k").join(", ")}\n`;
    const sections = parseSections(body, 5, "SKILL.md");
    expect(sections.failureModes).toHaveLength(125_000);
    expect(sections.doneWhen).toHaveLength(125_000);
    expect(sections.triggers.keywords).toEqual(["k"]);
  });

  it("refuses a SKILL.md over 1 MiB before parsing it, naming the limit", async () => {
    const dir = await skillDir(`---\nname: demo\ndescription: d\n---\n${"- a\n".repeat(300_000)}`);
    expect(await problemsOf(dir)).toEqual([
      expect.stringMatching(
        /SKILL\.md:1: error: SKILL\.md is 1\.1 MiB; the limit is 1 MiB, so it was not read\n {2}hint: keep SKILL\.md under the limit: move long material into references\//,
      ),
    ]);
  });

  it("refuses an alias bomb in SKILL.md frontmatter at its first alias", async () => {
    const dir = await skillDir(
      `---\nname: demo\ndescription: d\nmetadata:\n${aliasBomb("triggers", "  ")}\n---\n# Demo\n`,
    );
    expect(await problemsOf(dir)).toEqual([
      expect.stringMatching(/SKILL\.md:6:1: error: YAML aliases \(\*name\) here expand to far more than is written/),
    ]);
  });

  it("refuses an alias bomb in a Steps block, on the line of its first alias", async () => {
    const steps = ["- tool: shell.run", "  input:", aliasBomb("argv", "    ")].join("\n");
    const dir = await skillDir(
      `---\nname: demo\ndescription: d\n---\n# Demo\n\n## Steps\n\n\`\`\`yaml\n${steps}\n\`\`\`\n`,
    );
    const problems = await problemsOf(dir);
    expect(problems).toEqual([
      expect.stringMatching(
        /SKILL\.md:13: error: the Steps block's YAML aliases \(\*name\) here expand to far more than is written/,
      ),
    ]);
  });
});
