import { appendFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, tempWorksite } from "./__fixtures__/fixtures.js";
import { safeLoadWorksite } from "./load-worksite.js";
import { readTextWithin, SIZE_LIMITS } from "./size-limits.js";

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

async function worksite(files: Record<string, string>): Promise<string> {
  const root = await tempWorksite({
    "THREAD.md": fixture("en", "THREAD.md"),
    "GOAL.md": fixture("en", "GOAL.md"),
    "PERMISSIONS.md": fixture("en", "PERMISSIONS.md"),
    ...files,
  });
  roots.push(root);
  return root;
}

/** `text` with `lines` inserted after the heading line `heading`, padded with one more line to land just under `bytes`. */
function grownUnder(
  text: string,
  heading: string,
  line: (i: number) => string,
  bytes: number,
): { text: string; added: number } {
  const at = text.indexOf(`${heading}\n`) + heading.length + 1;
  const parts: string[] = [];
  let size = Buffer.byteLength(text);
  for (let i = 0; ; i++) {
    const l = line(i);
    if (size + l.length > bytes) break;
    parts.push(l);
    size += l.length;
  }
  return { text: text.slice(0, at) + parts.join("") + text.slice(at), added: parts.length };
}

describe("size limits of the worksite files", () => {
  it("refuses a 50 MB GOAL.md with a GOAL.md error that names the limit and how to get under it", async () => {
    const root = await worksite({});
    // 50 MB of scope lines, written in chunks: ≥130,000 list lines, as in issue 21.
    const chunk = "- Do not change `src/generated/file.ts`, which a generator writes\n".repeat(16_000);
    for (let written = 0; written < 50_000_000; written += chunk.length) await appendFile(join(root, "GOAL.md"), chunk);
    const result = await safeLoadWorksite(root);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        file: join(root, "GOAL.md"),
        line: 1,
        message: expect.stringMatching(/^GOAL\.md is 4\d\.\d MiB; the limit is 1 MiB/),
        hint: expect.stringContaining("keep each under the limit"),
      }),
    ]);
  });

  it("reads a PERMISSIONS.md just under 1 MiB holding 250,000 list lines", async () => {
    const grown = grownUnder(fixture("en", "PERMISSIONS.md"), "## Forbidden", () => "- x\n", SIZE_LIMITS.worksiteFile);
    expect(grown.added).toBeGreaterThan(250_000);
    const root = await worksite({ "PERMISSIONS.md": grown.text });
    const result = await safeLoadWorksite(root);
    expect(result.ok ? [] : result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.ok && result.value.permissions.notes.length).toBeGreaterThan(250_000);
  });

  it("reads a GOAL.md just under 1 MiB whose goal and scope sections hold 250,000 lines", async () => {
    const scope = grownUnder(
      fixture("en", "GOAL.md"),
      "## Scope",
      (i) => (i % 2 ? "- a\n" : "b\n"),
      SIZE_LIMITS.worksiteFile,
    );
    const root = await worksite({ "GOAL.md": scope.text });
    const result = await safeLoadWorksite(root);
    expect(result.ok ? [] : result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.ok && result.value.goal.scope.length).toBeGreaterThan(250_000);

    const goal = grownUnder(fixture("en", "GOAL.md"), "## Goal", () => "- more\n", SIZE_LIMITS.worksiteFile);
    await writeFile(join(root, "GOAL.md"), goal.text);
    const again = await safeLoadWorksite(root);
    expect(again.ok && again.value.goal.requirements.length).toBeGreaterThan(140_000);
  });

  it("reads a file of exactly the limit and refuses one byte more, without taking a directory for a file", async () => {
    const root = await worksite({ "a.txt": "x".repeat(100), "b.txt": "x".repeat(101) });
    expect(await readTextWithin(join(root, "a.txt"), 100)).toEqual({ ok: true, text: "x".repeat(100) });
    expect(await readTextWithin(join(root, "b.txt"), 100)).toEqual({
      ok: false,
      problem: "too-big",
      size: 101,
      limit: 100,
    });
    expect(await readTextWithin(root, 100)).toMatchObject({ ok: false, problem: "not-a-file" });
    expect(await readTextWithin(join(root, "none.txt"), 100)).toMatchObject({ ok: false, problem: "missing" });
  });
});
