import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { openAuditLog } from "@worksite/core";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIO, tempWorksite } from "../test-support/cli-harness.js";

const tempDir = () => tempWorksite({}, "worksite-init-");

describe("worksite init", () => {
  it("creates the three files, the folders and the .gitignore lines, and the result checks clean", async () => {
    const dir = await tempDir();
    const io = captureIO(dir);
    expect(await main(["init", "site"], io)).toBe(0);
    const root = join(dir, "site");
    for (const f of [
      "THREAD.md",
      "GOAL.md",
      "PERMISSIONS.md",
      "artifacts/.gitkeep",
      "memory/.gitkeep",
      "skills/.gitkeep",
      ".worksite",
    ])
      expect(existsSync(join(root, f)), f).toBe(true);
    expect(await readFile(join(root, ".gitignore"), "utf8")).toContain(".worksite/\n");
    expect(io.out).toContain("created      THREAD.md");
    expect(io.out).toContain("then run worksite check --worksite site\n");

    const check = captureIO(root);
    expect(await main(["check"], check)).toBe(0);
    // Only the trust note about agent-written code run by allowed commands: no warning, no error.
    expect(check.err).not.toMatch(/: (warning|error):/);
    expect(check.out).toContain("Goal  Every test of the web app passes");
    expect(check.out).toMatch(/verify: 3 enforced, 1 manual/);
    expect(check.out).toMatch(/✓ run {6}npm test +GOAL\.md:\d+/);
    expect(check.out).toMatch(/forbidden\n {4}shell\.run\(rm -rf\) +PERMISSIONS\.md:\d+/);
    expect(check.out).toMatch(/not enforced \(notes for people\)\n {4}\[draft\] Replies to people are drafted/);
  });

  it("gives a worksite made where another was deleted an id of its own, so its first entry is not refused as a cut log", async () => {
    // Seen with `worksite demo` run twice in one place: the path's record handed the new worksite the old id,
    // whose audit anchor named 26 entries, and round 1 failed with "lines were removed from the end".
    const dir = await tempDir();
    const root = join(dir, "site");
    expect(await main(["init", "site"], captureIO(dir))).toBe(0);
    const first = (await readFile(join(root, ".worksite", "id"), "utf8")).trim();
    const log = () => openAuditLog(join(root, ".worksite", "audit.jsonl"));
    for (let i = 0; i < 3; i++) await log().append({ type: "note", actor: "person:test", message: `entry ${i}` });
    await log().close();
    await rm(root, { recursive: true, force: true });

    expect(await main(["init", "site"], captureIO(dir))).toBe(0);
    expect((await readFile(join(root, ".worksite", "id"), "utf8")).trim()).not.toBe(first);
    await log().append({ type: "note", actor: "person:test", message: "the new worksite's first entry" });
    expect(await log().verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it("never overwrites an existing file without --force, and says which it kept", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "GOAL.md"), "/goal mine\n");
    await writeFile(join(dir, ".gitignore"), "node_modules/");
    const io = captureIO(dir);
    expect(await main(["init"], io)).toBe(0);
    expect(await readFile(join(dir, "GOAL.md"), "utf8")).toBe("/goal mine\n");
    expect(io.out).toMatch(/kept {9}GOAL\.md \(it exists; --force overwrites it\)/);
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe(
      "node_modules/\n\n# worksite runtime state: audit log, approvals, inbox, runs, lock\n.worksite/\n",
    );

    const again = captureIO(dir);
    expect(await main(["init", "--force", "--json"], again)).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({
      overwritten: ["THREAD.md", "GOAL.md", "PERMISSIONS.md"],
      kept: [],
      created: [],
    });
    expect(await readFile(join(dir, "GOAL.md"), "utf8")).toContain("## Goal");
    expect((await readFile(join(dir, ".gitignore"), "utf8")).match(/\.worksite\//g)).toHaveLength(1);
  });
});

describe("worksite init's next step and template", () => {
  it("names the next command as the person would type it from where they are", async () => {
    const dir = await tempDir();
    const io = captureIO(dir, { WORKSITE_CMD: "pnpm worksite" });
    expect(await main(["init", "my thread"], io)).toBe(0);
    expect(io.out).toContain('then run pnpm worksite check --worksite "my thread"\n');
    const here = captureIO(join(dir, "my thread"));
    expect(await main(["init", "--json"], here)).toBe(0);
    const plain = captureIO(join(dir, "my thread"));
    expect(await main(["init"], plain)).toBe(0);
    expect(plain.out).toContain("then run worksite check\n");
  });

  it("marks every example rule that matches no tool a run has as an example for a plugin that is not installed", async () => {
    const root = await tempDir();
    expect(await main(["init"], captureIO(root))).toBe(0);
    const { openSession } = await import("@worksite/runtime");
    const { loadWorksite } = await import("@worksite/core");
    const session = await openSession({ root, actor: "person:test" });
    const ids = session.gate.tools().map((t) => t.id);
    await session.dispose();
    const lines = (await readFile(join(root, "PERMISSIONS.md"), "utf8")).split("\n");
    const matchesNoTool = (await loadWorksite(root)).permissions.rules.filter((r) => {
      const pattern = new RegExp(`^${r.tool.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
      return !ids.some((id) => pattern.test(id));
    });
    expect(matchesNoTool.map((r) => r.tool).sort()).toEqual(["message.*", "payment.*"]);
    for (const r of matchesNoTool) {
      const before = lines.slice(Math.max(0, r.source.line - 4), r.source.line - 1).join("\n");
      expect(before, r.text).toMatch(/<!-- Example for a \w+ plugin, which is not installed here/);
    }
  });
});
