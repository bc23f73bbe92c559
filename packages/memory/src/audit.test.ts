import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { auditMemory, formatFinding } from "./audit.js";
import { commitHandEdits, handEdits } from "./hand-edits.js";
import { openMemory } from "./store.js";
import { alice, entryText, fakeGithubToken, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

async function committedFolder() {
  const dir = await tempDir();
  await put(dir, "tooling/use-pnpm.md", entryText("use-pnpm"));
  await put(dir, "tooling/node-version.md", entryText("node-version"));
  const store = await openMemory({ dir, now: fixedNow, author: alice });
  await commitHandEdits(store, "first entries", alice);
  return { dir, store };
}

describe("memory audit", () => {
  it("passes a clean, committed folder with no findings", async () => {
    const { store } = await committedFolder();
    const report = await auditMemory(store);
    expect(report.findings).toEqual([]);
    expect(report.blocking).toBe(false);
  });

  it("names the file, line and kind of a pasted secret and blocks", async () => {
    const { store, dir } = await committedFolder();
    await put(
      dir,
      "tooling/use-pnpm.md",
      entryText("use-pnpm", {}, `Line one.\nLine two.\nUse ${fakeGithubToken} to publish.`),
    );
    const report = await auditMemory(store);
    expect(report.blocking).toBe(true);
    const secret = report.findings.find((f) => f.kind === "secret");
    expect(secret).toMatchObject({ severity: "block", file: "tooling/use-pnpm.md", line: 15 });
    expect(formatFinding(secret!)).toMatch(/^tooling\/use-pnpm\.md:15: error: \[secret\] secret \(github-token\)/);
    expect(JSON.stringify(report)).not.toContain(fakeGithubToken);
    expect((await readFile(join(dir, "tooling/use-pnpm.md"), "utf8")).split("\n")[14]).toContain(fakeGithubToken);
  });

  it("refuses to commit a secret, whoever commits, and leaves history unchanged", async () => {
    const { store, dir } = await committedFolder();
    const before = gitCli(dir, "rev-parse", "HEAD");
    await put(dir, "tooling/use-pnpm.md", entryText("use-pnpm", {}, `Use ${fakeGithubToken} to publish.`));
    const error = await commitHandEdits(store, "add token", alice).catch((e: unknown) => e);
    expect(UserError.isUserError(error)).toBe(true);
    expect((error as UserError).message).toMatch(/refusing to commit memory: secret \(github-token\)/);
    expect((error as UserError).diagnostics[0]).toMatchObject({ file: join(dir, "tooling/use-pnpm.md"), line: 13 });
    expect(gitCli(dir, "rev-parse", "HEAD")).toBe(before);
  });

  it("reports schema errors with file:line and conflict markers as blocking", async () => {
    const { store, dir } = await committedFolder();
    await put(
      dir,
      "tooling/bad.md",
      "---\nname: bad\ndescription: d\ntype: rumour\nsource: me\ncreated: 2025-01-01\nupdated: 2025-01-01\n---\nx\n",
    );
    await put(dir, "tooling/merged.md", entryText("merged", {}, "<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other"));
    const report = await auditMemory(store);
    expect(report.findings.filter((f) => f.severity === "block").map((f) => `${f.kind} ${f.file}:${f.line}`)).toEqual([
      "schema tooling/bad.md:4",
      "conflict-marker tooling/merged.md:13",
      "conflict-marker tooling/merged.md:15",
      "conflict-marker tooling/merged.md:17",
    ]);
  });

  it("warns, without blocking, of expired, stale, duplicate, oversized and uncommitted entries", async () => {
    const { store, dir } = await committedFolder();
    await put(dir, "tooling/old-ci.md", entryText("old-ci", { expires: "2025-02-01" }));
    await put(dir, "other/node-version.md", entryText("node-version"));
    await put(dir, "tooling/ancient.md", entryText("ancient", { updated: "2020-01-01" }));
    await put(dir, "tooling/huge.md", entryText("huge", {}, "x".repeat(9000)));
    const report = await auditMemory(store);
    expect(report.blocking).toBe(false);
    const kinds = new Set(report.findings.map((f) => f.kind));
    for (const k of ["expired", "stale", "duplicate", "oversized", "uncommitted"]) expect(kinds).toContain(k);
    expect(report.findings.find((f) => f.kind === "expired")).toMatchObject({ file: "tooling/old-ci.md", line: 10 });
  });

  it("records hand edits as the named person's commit and regenerates MEMORY.md", async () => {
    const { store, dir } = await committedFolder();
    await put(dir, "tooling/new-fact.md", entryText("new-fact", { description: "a brand new fact" }));
    await writeFile(join(dir, "tooling/node-version.md"), entryText("node-version", {}, "Node 22 now."));
    expect((await handEdits(store)).map((e) => `${e.change} ${e.file}`).sort()).toEqual([
      "added tooling/new-fact.md",
      "modified tooling/node-version.md",
    ]);
    await commitHandEdits(store, "update node", { name: "Carol", email: "carol@example.test" });
    expect(await handEdits(store)).toEqual([]);
    expect(gitCli(dir, "log", "-1", "--format=%an <%ae>|%s")).toBe("Carol <carol@example.test>|update node\n");
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toContain(
      "- [new-fact](tooling/new-fact.md) — a brand new fact",
    );
  });
});
