import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { loadWorksite, safeLoadWorksite } from "./load-worksite.js";
import { fixture, tempWorksite } from "./__fixtures__/fixtures.js";

const english = () => ({
  "THREAD.md": fixture("en", "THREAD.md"),
  "GOAL.md": fixture("en", "GOAL.md"),
  "PERMISSIONS.md": fixture("en", "PERMISSIONS.md"),
});

describe("loading a worksite", () => {
  it("loads all three files from a folder", async () => {
    const root = await tempWorksite(english());
    const site = await loadWorksite(root);
    expect(site.root).toBe(root);
    expect(site.thread.file).toBe(join(root, "THREAD.md"));
    expect(site.permissions.rules.length).toBeGreaterThan(0);
    expect(site.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("collects the errors of every file, and names a missing file, in one UserError", async () => {
    const root = await tempWorksite({ "THREAD.md": "---\nstage: nope\n---\n", "PERMISSIONS.md": "## Alow\n" });
    const result = await safeLoadWorksite(root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => `${d.file.slice(root.length + 1)}:${d.line}`)).toEqual([
      "GOAL.md:1",
      "PERMISSIONS.md:1",
      "THREAD.md:2",
    ]);
    await expect(loadWorksite(root)).rejects.toSatisfy((e) => UserError.isUserError(e) && e.diagnostics.length === 3);
  });
});
