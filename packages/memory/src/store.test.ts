import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listEntries, readMemory, searchMemory } from "./search.js";
import { openMemory } from "./store.js";
import { entryText, fakeGithubToken, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

async function sample() {
  const dir = await tempDir();
  await put(
    dir,
    "tooling/use-pnpm.md",
    entryText(
      "use-pnpm",
      { type: "decision", tags: ["tooling", "build"], description: "the workspace installs with pnpm only" },
      "Never npm install inside a package.",
    ),
  );
  await put(dir, "tooling/node-version.md", entryText("node-version", { tags: ["tooling"] }, "Node 20 everywhere."));
  await put(
    dir,
    "people/ann-prefers-small-prs.md",
    entryText(
      "ann-prefers-small-prs",
      { type: "preference", tags: ["review"] },
      "Ann reviews small pull requests first.",
    ),
  );
  await put(dir, "tooling/old-ci.md", entryText("old-ci", { expires: "2025-03-01" }, "CI ran on the old runner."));
  await put(
    dir,
    "tooling/deploy-token.md",
    entryText("deploy-token", {}, `Deploy with\n\n    token ${fakeGithubToken}\n`),
  );
  await put(dir, "tooling/forgotten.md", entryText("forgotten", { status: "superseded" }, "No longer true."));
  const store = await openMemory({ dir, now: fixedNow });
  return { dir, store };
}

describe("memory store", () => {
  it("with create: false, refuses a missing folder or one holding no entries, and makes nothing", async () => {
    const missing = join(await tempDir(), "nope");
    await expect(openMemory({ dir: missing, create: false })).rejects.toThrow(/nope is not a memory folder/);
    expect(existsSync(missing)).toBe(false);
    const plain = await tempDir();
    await put(plain, "hosts", "127.0.0.1 localhost\n");
    await expect(openMemory({ dir: plain, create: false })).rejects.toThrow(/is not a memory folder/);
    expect(existsSync(join(plain, ".git"))).toBe(false);
    await put(plain, "tooling/a.md", entryText("a"));
    expect((await openMemory({ dir: plain, create: false })).dir).toBe(plain);
  });

  it("opens a plain folder as its own git repository on main", async () => {
    const { dir } = await sample();
    expect(existsSync(join(dir, ".git"))).toBe(true);
    expect(gitCli(dir, "symbolic-ref", "HEAD").trim()).toBe("refs/heads/main");
  });

  it("searches by words, tag and type, best matches first", async () => {
    const { store } = await sample();
    expect((await searchMemory(store, { text: "pnpm" })).map((h) => h.id)).toEqual(["tooling/use-pnpm"]);
    expect((await searchMemory(store, { tags: ["tooling"] })).map((h) => h.id)).toEqual([
      "tooling/node-version",
      "tooling/use-pnpm",
    ]);
    expect((await searchMemory(store, { type: "preference" })).map((h) => h.id)).toEqual([
      "people/ann-prefers-small-prs",
    ]);
    expect((await searchMemory(store, { text: "node everywhere" })).map((h) => h.id)).toEqual(["tooling/node-version"]);
    expect(await searchMemory(store, { text: "pnpm", type: "fact" })).toEqual([]);
  });

  it("never gives an agent an expired, forgotten or secret-bearing entry, yet keeps them on disk", async () => {
    const { store, dir } = await sample();
    const visible = (await listEntries(store)).map((e) => e.id);
    expect(visible).not.toContain("tooling/old-ci");
    expect(visible).not.toContain("tooling/deploy-token");
    expect(visible).not.toContain("tooling/forgotten");
    expect((await searchMemory(store, { text: "deploy" })).length).toBe(0);
    await expect(readMemory(store, "tooling/deploy-token")).rejects.toThrow(/withheld: it holds a secret/);
    await expect(readMemory(store, "old-ci")).rejects.toThrow(/expired on 2025-03-01/);
    expect(existsSync(join(dir, "tooling/old-ci.md"))).toBe(true);
    // A person's own listing still shows them.
    expect((await listEntries(store, { forAgent: false })).map((e) => e.id)).toContain("tooling/deploy-token");
  });

  it("reads an entry by its bare name when only one topic holds it", async () => {
    const { store } = await sample();
    expect((await readMemory(store, "use-pnpm")).meta.type).toBe("decision");
    await expect(readMemory(store, "nope")).rejects.toThrow(/no memory entry "nope"/);
  });
});
