import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RESULTS_FILE, replaceSection, writeSection } from "./results-writer.mjs";
import { tempDir } from "@worksite/test-support";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const FILE = [
  "# Benchmark results",
  "",
  "Prose a person wrote above the sections.",
  "",
  "<!-- bench:gate -->",
  "## Gate overhead",
  "old gate figures",
  "<!-- /bench:gate -->",
  "",
  "<!-- bench:memory -->",
  "## Memory",
  "| a | 1 ms |",
  "<!-- /bench:memory -->",
  "",
].join("\n");

describe("the bench results writer", () => {
  it("replaces only the named bench's block, leaving every other byte of the file as it was", () => {
    const updated: string = replaceSection(FILE, "gate", "## Gate overhead\nnew gate figures\n");
    expect(updated).toBe(FILE.replace("old gate figures", "new gate figures"));
  });

  it("writes the same file twice over when a bench is rerun with the same figures", () => {
    const once: string = replaceSection(FILE, "memory", "## Memory\n| a | 2 ms |");
    expect(replaceSection(once, "memory", "## Memory\n| a | 2 ms |")).toBe(once);
    expect(once).toContain("<!-- bench:gate -->\n## Gate overhead\nold gate figures\n<!-- /bench:gate -->");
  });

  it("appends the block of a bench that has none yet, after everything else", () => {
    const updated: string = replaceSection(FILE, "sandbox", "## Sandbox\nfigures");
    expect(updated).toBe(`${FILE.trimEnd()}\n\n<!-- bench:sandbox -->\n## Sandbox\nfigures\n<!-- /bench:sandbox -->\n`);
  });

  it("refuses to write over a block whose closing marker is missing, naming the markers to restore", () => {
    expect(() => replaceSection(FILE.replace("<!-- /bench:gate -->", ""), "gate", "x")).toThrow(
      /markers of bench:gate are broken/,
    );
  });

  it("writes RESULTS.md on disk, creating it with its header the first time", async () => {
    const dir = await tempDir("worksite-bench-writer-");
    dirs.push(dir);
    const file = join(dir, "RESULTS.md");
    await writeSection("gate", "## Gate overhead\nfirst", file);
    await writeSection("browser", "## Browser\nfigures", file);
    await writeSection("gate", "## Gate overhead\nsecond", file);
    const text = await readFile(file, "utf8");
    expect(text).toMatch(/^# Benchmark results\n/);
    expect(text).toContain(
      "<!-- bench:gate -->\n## Gate overhead\nsecond\n<!-- /bench:gate -->\n\n<!-- bench:browser -->\n## Browser\nfigures\n<!-- /bench:browser -->\n",
    );
    expect(text).not.toContain("first");
  });

  it("holds in bench/RESULTS.md only sections a bench wrote, each naming the command that wrote it", async () => {
    const text = await readFile(RESULTS_FILE, "utf8");
    const blocks = [...text.matchAll(/<!-- bench:([a-z0-9-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g)];
    expect(blocks.map((b) => b[1])).toEqual(expect.arrayContaining(["gate", "browser", "memory"]));
    for (const [, name, body] of blocks)
      expect(body, name).toMatch(
        /^## .+\n\nWritten by `node bench\/[a-z-]+\/[a-z-]+\.mjs[^`]*` on \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
      );
    // Outside the blocks: only the file's header, so no figure sits where no bench rewrites it.
    const outside = blocks.reduce((rest, b) => rest.replace(b[0], ""), text);
    expect(outside.replace(/^# Benchmark results\n\n[^\n]*\n/, "").trim()).toBe("");
  });
});
