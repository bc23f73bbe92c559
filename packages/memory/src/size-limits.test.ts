import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { writeMemory } from "./proposals.js";
import { listEntries } from "./search.js";
import { openMemory } from "./store.js";
import { entryText, fixedNow, put, tempDir } from "./test-helpers/fixtures.js";

/** Nine levels of nine aliases: 9^9 strings once expanded, in a few hundred bytes. */
function aliasBomb(key: string): string {
  const lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let n = 1; n < 9; n++)
    lines.push(
      `l${n}: &l${n} [${Array(9)
        .fill(`*l${n - 1}`)
        .join(",")}]`,
    );
  lines.push(`${key}: *l8`);
  return lines.join("\n");
}

describe("memory entries past their limits", () => {
  it("reports a 50 MB entry as a blocking problem naming the 256 KiB limit, and still lists the others", async () => {
    const dir = await tempDir();
    await put(dir, "tooling/use-pnpm.md", entryText("use-pnpm"));
    await put(dir, "tooling/huge.md", entryText("huge"));
    const chunk = "A line of notes that goes on and on.\n".repeat(30_000);
    for (let i = 0; i < 45; i++) await appendFile(join(dir, "tooling/huge.md"), chunk);
    const store = await openMemory({ dir, now: fixedNow });
    expect((await listEntries(store)).map((e) => e.id)).toEqual(["tooling/use-pnpm"]);
    const report = await auditMemory(store);
    expect(report.blocking).toBe(true);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: "block",
        file: "tooling/huge.md",
        line: 1,
        message: expect.stringMatching(
          /^this entry is 4\d\.\d MiB; the limit is 256 KiB, so it was not read: split it into smaller entries/,
        ),
      }),
    );
  });

  it("reports an alias bomb in an entry's frontmatter at its first alias", async () => {
    const dir = await tempDir();
    await put(
      dir,
      "tooling/bomb.md",
      `---\nname: bomb\ndescription: boom\ntype: fact\n${aliasBomb("tags")}\n---\n\nBody.\n`,
    );
    const store = await openMemory({ dir, now: fixedNow });
    const report = await auditMemory(store);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: "block",
        file: "tooling/bomb.md",
        line: 6,
        message: expect.stringContaining("YAML aliases (*name) here expand to far more than is written"),
      }),
    );
  });

  it("refuses a memory.write whose entry would pass the limit, and writes one under it", async () => {
    const dir = await tempDir();
    const store = await openMemory({ dir, now: fixedNow });
    const input = { topic: "notes", name: "long", description: "long notes", type: "fact" as const };
    await expect(
      writeMemory(store, { ...input, body: "x".repeat(300 * 1024) }, { run: "r1", actor: "agent" }),
    ).rejects.toThrow(/memory entry notes\/long\.md would be 300\.\d KiB; the limit is 256 KiB/);
    await expect(
      writeMemory(store, { ...input, body: "x".repeat(200 * 1024) }, { run: "r1", actor: "agent" }),
    ).resolves.toMatchObject({ file: "notes/long.md" });
  });
});
