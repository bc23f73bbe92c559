import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openMemory, writeMemory } from "@worksite/memory";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

// Assembled at run time so no source file holds a token-shaped string.
const token = ["ghp", "_", "R7xK2mQ9vL4pT8wN3bZ6cY1dF5gH0jS2aE7u"].join("");

const entry = (name: string, body: string) =>
  `---\nname: ${name}\ndescription: about ${name}\ntype: fact\ntags: [cli]\nscope: global\nsource: person:tester\ncreated: 2025-01-01\nupdated: ${new Date().toISOString().slice(0, 10)}\nstatus: active\n---\n\n${body}\n`;

const run = (cwd: string, ...argv: string[]) => runCli(argv, cwd, { ...process.env });

const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });

describe("worksite memory", () => {
  it("audit names FILE:LINE and the kind of a pasted secret, exits 1, and commit refuses it", async () => {
    const root = await tempWorksite(
      { "memory/tooling/a.md": entry("a", "Fine."), "memory/tooling/b.md": entry("b", "Fine.") },
      "cli-memory-",
    );
    expect((await run(root, "memory", "commit", "--memory", "memory", "-m", "start")).code).toBe(0);
    const clean = await run(root, "memory", "audit", "--memory", "memory");
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.out).toContain("memory audit passed: 2 entries, 0 blocking");

    await writeFile(join(root, "memory/tooling/b.md"), entry("b", `Fine.\n\npublish with ${token}`));
    const audit = await run(root, "memory", "audit", "--memory", "memory");
    expect(audit.code).toBe(1);
    expect(audit.err).toContain("memory/tooling/b.md:15: error: [secret] secret (github-token)");
    expect(audit.out + audit.err).not.toContain(token);

    const json = JSON.parse((await run(root, "memory", "audit", "--memory", "memory", "--json")).out);
    expect(json.findings[0]).toMatchObject({
      severity: "block",
      kind: "secret",
      file: "tooling/b.md",
      line: 15,
      path: "memory/tooling/b.md",
    });

    const commit = await run(root, "memory", "commit", "--memory", "memory", "-m", "oops");
    expect(commit.code).toBe(1);
    expect(commit.err).toContain("memory/tooling/b.md:15");
    expect(commit.err).toContain("refusing to commit memory: secret (github-token)");
    expect(git(join(root, "memory"), "log", "--format=%s")).toBe("start\n");

    const list = await run(root, "memory", "list", "--memory", "memory");
    expect(list.out).toMatch(/tooling\/b .*hidden from agents: it holds a secret/);
  });

  it("diff shows exactly a run's proposal; reject leaves main untouched; accept merges", async () => {
    const root = await tempWorksite({ "memory/tooling/a.md": entry("a", "Fine.") }, "cli-memory-");
    await run(root, "memory", "commit", "--memory", "memory", "-m", "start");
    const store = await openMemory({ dir: join(root, "memory") });
    const main = git(store.dir, "rev-parse", "main");
    await writeMemory(
      store,
      { topic: "tooling", name: "new-one", description: "a new fact", type: "fact", body: "New." },
      { run: "r1", actor: "agent" },
    );
    await writeMemory(
      store,
      { topic: "tooling", name: "other", description: "another fact", type: "fact", body: "Other." },
      { run: "r2", actor: "agent" },
    );

    const diff = await run(root, "memory", "diff", "r1", "--memory", "memory");
    expect(diff.out).toMatch(/^diff --git a\/tooling\/new-one\.md b\/tooling\/new-one\.md\n/);
    expect(diff.out).toContain("+description: a new fact\n");
    expect(diff.out).not.toContain("other");

    const all = await run(root, "memory", "diff", "--memory", "memory");
    expect(all.out).toContain("# proposal of run r1");
    expect(all.out).toContain("# proposal of run r2");

    expect((await run(root, "memory", "reject", "r2", "--memory", "memory")).code).toBe(0);
    expect(git(store.dir, "rev-parse", "main")).toBe(main);
    expect((await run(root, "memory", "accept", "r1", "--memory", "memory")).out).toContain(
      "accepted proposal of run r1",
    );
    expect(await readFile(join(store.dir, "tooling/new-one.md"), "utf8")).toContain("New.");
    expect(git(store.dir, "branch", "--list", "memory/*")).toBe("");
    const missing = await run(root, "memory", "accept", "r2", "--memory", "memory");
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('no memory proposal for run "r2"');
  });

  it("a memory.write approved in a worksite fresh from init can be accepted, leaving the memory repository clean", async () => {
    const root = join(await tempWorksite({}, "cli-memory-"), "ws");
    expect((await run(root, "init", root)).code).toBe(0);
    const input = JSON.stringify({
      topic: "build",
      name: "node",
      description: "node version",
      body: "uses node 20",
      type: "fact",
    });
    const drafted = JSON.parse((await run(root, "call", "memory.write", input, "-w", ".", "--json")).out);
    expect(drafted.status).toBe("drafted");
    const approved = JSON.parse((await run(root, "approve", drafted.draftId, "-w", ".", "--json")).out);
    expect(approved.status).toBe("ok");
    const runId = String(approved.result.data.ref).replace("refs/heads/memory/proposals/", "");

    const accept = await run(root, "memory", "accept", runId, "-w", ".");
    expect(accept.err).toBe("");
    expect(accept).toMatchObject({ code: 0 });
    const memory = join(root, "memory");
    expect(await readFile(join(memory, "build/node.md"), "utf8")).toContain("uses node 20");
    expect(await readFile(join(memory, "MEMORY.md"), "utf8")).toContain("build/node.md");
    expect(git(memory, "ls-tree", "-r", "--name-only", "main")).toBe(".gitkeep\nMEMORY.md\nbuild/node.md\n");
    expect(git(memory, "status", "--porcelain")).toBe("");
  });

  it("passes on this repository's own memory/ folder, run at the repository root", async () => {
    const repo = fileURLToPath(new URL("../../../../", import.meta.url));
    const audit = await run(repo, "memory", "audit", "--memory", "memory");
    expect(audit.err).toBe("");
    expect(audit.code).toBe(0);
    expect(audit.out).toMatch(/memory audit passed: \d+ entries, 0 blocking/);
  });

  it("works on the worksite's memory folder named in THREAD.md", async () => {
    const root = await tempWorksite(
      { "THREAD.md": "---\nmemory: { path: notes }\n---\n# thread\n", "notes/tooling/a.md": entry("a", "Fine.") },
      "cli-memory-",
    );
    const list = await run(join(root), "memory", "list", "--json");
    expect(JSON.parse(list.out).entries.map((e: { id: string }) => e.id)).toEqual(["tooling/a"]);
    const audit = await run(root, "memory", "audit");
    expect(audit.code).toBe(0);
    expect(audit.out).toContain("notes/tooling/a.md:1: warning: [uncommitted]");
  });

  it("refuses a --memory folder that is missing or holds no memory, creating nothing", async () => {
    const root = await tempWorksite({ "etc/hosts": "127.0.0.1 localhost\n" }, "cli-memory-");
    const list = await run(root, "memory", "list", "--memory", "nope");
    expect(list.code).toBe(1);
    expect(list.err).toContain("nope is not a memory folder");
    expect(list.err).toContain("--memory DIR");
    expect(list.out).not.toContain("empty");
    expect(existsSync(join(root, "nope"))).toBe(false);
    const audit = await run(root, "memory", "audit", "--memory", "etc");
    expect(audit.code).toBe(1);
    expect(audit.err).toContain("etc is not a memory folder");
    expect(audit.out).not.toContain("passed");
    expect(existsSync(join(root, "etc", ".git"))).toBe(false);
  });

  it("lists the still-empty memory folder of a worksite fresh from init", async () => {
    const root = join(await tempWorksite({}, "cli-memory-"), "ws");
    expect((await run(root, "init", root)).code).toBe(0);
    const list = await run(root, "memory", "list");
    expect(list).toMatchObject({ code: 0, err: "" });
  });
});
