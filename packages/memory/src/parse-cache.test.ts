import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { personStateDir, type SecretRule, secretRules } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { auditMemory } from "./audit.js";
import { cachedOid, readGitIndex } from "./git-index.js";
import { commitHandEdits } from "./hand-edits.js";
import { cacheDir, cacheFiles } from "./parse-cache.js";
import { scanFiles } from "./scan-files.js";
import { type MemoryStore, openMemory } from "./store.js";
import { alice, entryText, fakeGithubToken, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";

/*
 * Issue 13 item 2: the run-start audit takes each entry's summary from a parse
 * cache kept by blob id. These tests attack it: a cache edited to call an entry
 * clean, a file changed behind an unchanged stat, a file changed in the same tick
 * as the index was written. Each must still find what is in the file.
 */
const ENTRY = "tooling/use-pnpm.md";
const clean = entryText("use-pnpm", {}, `Publish with the token in the environment: ${"x".repeat(40)}.`);
// The same number of bytes, with a secret where the x's were.
const withSecret = entryText("use-pnpm", {}, `Publish with the token in the environment: ${fakeGithubToken}.`);

async function cachedFolder(gitCliOn = true) {
  const dir = await tempDir();
  await put(dir, ENTRY, clean);
  await put(dir, "tooling/node-version.md", entryText("node-version"));
  const store = await openMemory({ dir, now: fixedNow, author: alice, gitCli: gitCliOn });
  await commitHandEdits(store, "first entries", alice);
  // The git CLI's index, as after any git command a person runs.
  gitCli(dir, "status", "--porcelain");
  const first = await auditMemory(store);
  expect(first.findings).toEqual([]);
  return { dir, store };
}

/**
 * Rewrites the cache as an attacker could: `edit` changes the text of each of its files, `key` re-seals
 * them (the person's key or not).
 */
async function tamper(store: MemoryStore, edit: (text: string) => string, key?: Buffer) {
  let changed = 0;
  for (const path of cacheFiles(store)) {
    const raw = await readFile(path, "utf8");
    const [seal, ...rest] = raw.split("\n");
    const text = edit(rest.join("\n"));
    if (text === rest.join("\n")) continue;
    changed++;
    await writeFile(path, `${key ? createHmac("sha256", key).update(text).digest("hex") : seal}\n${text}`);
  }
  expect(changed).toBeGreaterThan(0); // the attack changed something
}

const personKey = () => Buffer.from(readFileSync(join(personStateDir(), "memory-cache.key"), "utf8").trim(), "hex");

describe("the memory parse cache", () => {
  it("is kept under the memory repository's .git, where nothing is committed or pushed", async () => {
    const { dir, store } = await cachedFolder();
    expect(cacheFiles(store).length).toBeGreaterThan(1);
    for (const path of cacheFiles(store)) {
      expect(path.startsWith(join(dir, ".git"))).toBe(true);
      expect(statSync(path).isFile()).toBe(true);
    }
    expect(gitCli(dir, "status", "--porcelain", "--ignored")).toBe("");
  });

  it("serves a summary it sealed for the file's exact blob id (the audit reads it, not the file)", async () => {
    const { store } = await cachedFolder();
    // Planted with the person's own key: proves the summary comes from the cache when the bytes match.
    await tamper(store, (t) => t.replaceAll("what to know about use-pnpm", "planted by the test"), personKey());
    const report = await auditMemory(store);
    expect(report.findings.map((f) => f.kind)).toEqual(["index"]);
  });

  it("throws away a cache edited to call a secret-bearing entry clean, and the secret is still found", async () => {
    const { dir, store } = await cachedFolder();
    await writeFile(join(dir, ENTRY), withSecret);
    gitCli(dir, "add", "-A"); // the index now holds the secret's blob id, so the stat cache says "unchanged"
    expect((await auditMemory(store)).findings.map((f) => f.kind)).toContain("secret");
    const hide = (t: string) => t.replace(/,"c":\[[^\]]*\]/g, "");
    // By hand, keeping the old seal; then re-sealed with a key of the attacker's own.
    await tamper(store, hide);
    expect((await auditMemory(store)).findings.map((f) => f.kind)).toContain("secret");
    await tamper(store, hide, Buffer.alloc(32, 7));
    const report = await auditMemory(store);
    expect(report.blocking).toBe(true);
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: "secret", file: ENTRY }));
  });

  it("puts into MEMORY.md only what a sealed cache says: a heads file edited by hand or re-sealed with another key is thrown away", async () => {
    const plant = (t: string) => t.replaceAll("what to know about node-version", "planted by the test");
    const memoryIndexAfterCommit = async (attack: (store: MemoryStore) => Promise<void>) => {
      const { dir, store } = await cachedFolder();
      // The commit reads every other entry's MEMORY.md line from the cache's heads file.
      await writeFile(join(dir, ENTRY), clean.replace("what to know about use-pnpm", "pnpm only"));
      await attack(store);
      await commitHandEdits(store, "edit", alice);
      return readFile(join(dir, "MEMORY.md"), "utf8");
    };
    // With the person's own key the planted line is used: proof that the commit reads the heads file.
    expect(await memoryIndexAfterCommit((store) => tamper(store, plant, personKey()))).toContain("planted by the test");
    for (const key of [undefined, Buffer.alloc(32, 7)]) {
      const index = await memoryIndexAfterCommit((store) => tamper(store, plant, key));
      expect(index).toContain("what to know about node-version");
      expect(index).not.toContain("planted");
    }
  });

  it("scans an unchanged entry again when the secret scanner's rules changed since its summary was cached", async () => {
    const { store } = await cachedFolder();
    // A rule added after the cache was written (as a newer scanner would bring) that matches the entry's x's.
    const rule: SecretRule = { kind: "token added by a newer rule", keywords: ["xxxxxxxx"], pattern: /x{40}/dg };
    (secretRules as SecretRule[]).push(rule);
    try {
      expect((await auditMemory(store)).findings).toContainEqual(
        expect.objectContaining({
          kind: "secret",
          file: ENTRY,
          message: expect.stringContaining("token added by a newer rule"),
        }),
      );
    } finally {
      (secretRules as SecretRule[]).splice((secretRules as SecretRule[]).indexOf(rule), 1);
    }
    expect((await auditMemory(store)).findings).toEqual([]);
  });

  it("throws away a cache edited to pass an entry that fails the schema", async () => {
    const { dir, store } = await cachedFolder();
    await writeFile(join(dir, ENTRY), clean.replace("type: fact", "type: gossip"));
    gitCli(dir, "add", "-A");
    expect((await auditMemory(store)).findings.map((f) => f.kind)).toContain("schema");
    await tamper(store, (t) => t.replace(/,"p":\[[^\]]*\]/g, ""));
    expect((await auditMemory(store)).findings).toContainEqual(
      expect.objectContaining({ kind: "schema", file: ENTRY }),
    );
  });

  for (const gitCliOn of [true, false])
    it(`reads again a file changed to same-size content with its mtime put back (utimes), as git's ctime check does (${gitCliOn ? "git CLI" : "isomorphic-git"})`, async () => {
      const { dir, store } = await cachedFolder(gitCliOn);
      const path = join(dir, ENTRY);
      const before = statSync(path, { bigint: true });
      expect(withSecret.length).toBe(clean.length);
      await writeFile(path, withSecret);
      // To the nanosecond (GNU touch), which utimes from node cannot do.
      const ns = before.mtimeNs;
      execFileSync("touch", [
        "-m",
        "-d",
        `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, "0")}`,
        path,
      ]);
      const after = statSync(path, { bigint: true });
      expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
      const report = await auditMemory(store);
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: "secret", file: ENTRY }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: "uncommitted", file: ENTRY }));
    });

  it("reads a file marked assume-unchanged, whose changes git status does not report", async () => {
    const { dir, store } = await cachedFolder();
    gitCli(dir, "update-index", "--assume-unchanged", ENTRY);
    await writeFile(join(dir, ENTRY), withSecret);
    expect(gitCli(dir, "status", "--porcelain")).toBe("");
    expect((await auditMemory(store)).findings).toContainEqual(
      expect.objectContaining({ kind: "secret", file: ENTRY }),
    );
  });

  it("does not trust the index for a file whose stat was taken in the same tick the index was written (racy git)", async () => {
    const { dir, store } = await cachedFolder();
    const path = join(dir, ENTRY);
    const stat = statSync(path, { bigint: true });
    expect(cachedOid(readGitIndex(store.gitdir), ENTRY, stat)).toMatch(/^[0-9a-f]{40}$/);
    // The index written in the same instant as the file: a change in that tick would leave the stat unchanged.
    const mtime = new Date(Number(stat.mtimeNs / 1_000_000n));
    await utimes(join(store.gitdir, "index"), mtime, mtime);
    expect(cachedOid(readGitIndex(store.gitdir), ENTRY, stat)).toBeUndefined();
  });

  it("gives the same report from the cache as from the files (a second, cached audit of a folder with findings)", async () => {
    const { dir, store } = await cachedFolder();
    await put(dir, "notes/broken.md", "no front matter here\n");
    await put(dir, "tooling/old.md", entryText("old", { updated: "2020-01-01", expires: "2021-01-01" }));
    const cold = await auditMemory(store);
    expect(cold.findings.length).toBeGreaterThan(2);
    expect(await auditMemory(store)).toEqual(cold);
  });

  it("gives each entry's summary and body from the cache as read from its file (bodies are parsed only when read)", async () => {
    const { store } = await cachedFolder();
    await rm(cacheDir(store), { recursive: true, force: true });
    const fromFiles = await scanFiles(store);
    const fromCache = await scanFiles(store);
    expect(fromCache).toEqual(fromFiles);
    expect(fromCache.map((f) => f.entry?.body)).toEqual([
      "About node-version.\n",
      `Publish with the token in the environment: ${"x".repeat(40)}.\n`,
    ]);
    expect(JSON.parse(JSON.stringify(fromCache))).toEqual(JSON.parse(JSON.stringify(fromFiles)));
  });
});
