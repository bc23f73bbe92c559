import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openMemory, writeMemory } from "@worksite/memory";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

const person = {
  GIT_AUTHOR_NAME: "Ada Lovelace",
  GIT_AUTHOR_EMAIL: "ada@example.com",
  GIT_COMMITTER_NAME: "Ada Lovelace",
  GIT_COMMITTER_EMAIL: "ada@example.com",
};
const run = (cwd: string, ...argv: string[]) => runCli(argv, cwd, { ...process.env, ...person });
const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
const today = () => new Date().toISOString().slice(0, 10);

/** What a person writes by hand: three fields and a body. */
const threeFields = "---\nname: use-pnpm\ndescription: We build with pnpm, not npm\ntype: decision\n---\n\nUse pnpm.\n";

describe("hand-written memory", () => {
  it("a three-field entry passes memory audit, and memory commit fills created, updated and source", async () => {
    const root = await tempWorksite(
      { "THREAD.md": "# t\n", "memory/tooling/use-pnpm.md": threeFields },
      "cli-mem-hand-",
    );
    const audit = await run(root, "memory", "audit");
    expect(audit.err).toBe("");
    expect(audit.code).toBe(0);
    expect(audit.out).toContain("memory audit passed: 1 entry, 0 blocking");

    const commit = await run(root, "memory", "commit", "-m", "we use pnpm");
    expect(commit.err).toBe("");
    expect(commit.code).toBe(0);
    expect(commit.out).toContain(
      "filled in memory/tooling/use-pnpm.md: the created, updated and source it did not have\n",
    );
    // The person's git identity, as the commit line names it.
    const who = /committed 2 files as (.+ <.+>) \([0-9a-f]{7}\)\n$/.exec(commit.out)?.[1];
    expect(who).toBeDefined();
    expect(await readFile(join(root, "memory/tooling/use-pnpm.md"), "utf8")).toBe(
      `---\nname: use-pnpm\ndescription: We build with pnpm, not npm\ntype: decision\nsource: ${who}\ncreated: ${today()}\nupdated: ${today()}\n---\n\nUse pnpm.\n`,
    );
    // What was committed is the filled file, and nothing is left over.
    expect(git(join(root, "memory"), "status", "--porcelain")).toBe("");
    const after = await run(root, "memory", "audit");
    expect(after.out).toBe("memory audit passed: 1 entry, 0 blocking, 0 warnings\n");
    expect((await run(root, "memory", "list")).out).toContain("use-pnpm");
  });

  it("memory commit refuses an entry that fails the schema, with a hint per field and no validator text", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "# t\n",
        "memory/tooling/ok.md": threeFields.replace(/use-pnpm/, "ok"),
        "memory/tooling/bad.md": "---\nname: Bad Name\ntype: note\n---\n\nSomething.\n",
      },
      "cli-mem-hand-",
    );
    const commit = await run(root, "memory", "commit", "-m", "two entries");
    expect(commit.code).toBe(1);
    expect(commit.err).toBe(
      [
        "memory/tooling/bad.md:2: error: name: expected kebab-case, such as use-pnpm",
        "  hint: kebab-case, the same as the file name without .md, e.g. name: use-pnpm",
        "memory/tooling/bad.md:1: error: description: is missing",
        "  hint: one line saying what the entry holds, e.g. description: We build with pnpm, not npm",
        'memory/tooling/bad.md:3: error: type: "note" is not one of the allowed values',
        "  hint: one of fact, preference, decision, procedure, reference, lesson, person, project",
        'memory/tooling/bad.md:2: error: name "Bad Name" must equal the file name "bad"',
        "  hint: set name: bad, or rename the file to Bad Name.md",
        "error: nothing committed: entries fail the memory schema (4 problems)",
        "  hint: fix the lines above (name, description and type are all a person needs to write), then commit again",
        "",
      ].join("\n"),
    );
    expect(commit.err).not.toMatch(/Invalid|received|expected string/);
    // Nothing was committed, and the good entry was not changed either.
    expect(() => git(join(root, "memory"), "rev-parse", "HEAD")).toThrow();
    expect(await readFile(join(root, "memory/tooling/ok.md"), "utf8")).toBe(threeFields.replace(/use-pnpm/, "ok"));
  });

  it("a changed entry missing created gets the day git first recorded it", async () => {
    const root = await tempWorksite(
      { "THREAD.md": "# t\n", "memory/tooling/use-pnpm.md": threeFields },
      "cli-mem-hand-",
    );
    const mem = join(root, "memory");
    git(mem, "init", "-q", "-b", "main");
    git(mem, "add", "-A");
    execFileSync("git", ["-C", mem, "commit", "-qm", "old"], {
      env: {
        ...process.env,
        ...person,
        GIT_AUTHOR_DATE: "2024-03-04T10:00:00Z",
        GIT_COMMITTER_DATE: "2024-03-04T10:00:00Z",
      },
    });
    await writeFile(join(mem, "tooling/use-pnpm.md"), threeFields.replace("Use pnpm.", "Use pnpm 9."));
    expect((await run(root, "memory", "commit", "-m", "pnpm 9")).code).toBe(0);
    expect(await readFile(join(mem, "tooling/use-pnpm.md"), "utf8")).toContain(
      `created: 2024-03-04\nupdated: ${today()}\n`,
    );
  });

  it("paths in messages are relative inside the current folder and absolute outside it (never ../../)", async () => {
    const root = await tempWorksite(
      { "THREAD.md": "# t\n", "memory/tooling/bad.md": "---\nname: bad\ntype: fact\n---\n", "src/deep/.keep": "" },
      "cli-mem-hand-",
    );
    const inside = await run(root, "memory", "commit", "-m", "x");
    expect(inside.err).toContain("memory/tooling/bad.md:1: error: description: is missing");
    const below = await run(join(root, "src/deep"), "memory", "commit", "-m", "x");
    expect(below.err).toContain(`${join(root, "memory/tooling/bad.md")}:1: error: description: is missing`);
    expect(below.err).not.toContain("../");
    const audit = await run(join(root, "src/deep"), "memory", "audit");
    expect(audit.err).toContain(`${join(root, "memory/tooling/bad.md")}:1: error: [schema] description: is missing`);
  });
});

describe("memory proposals waiting for a person", () => {
  async function withProposals(...runs: string[]): Promise<string> {
    const root = await tempWorksite(
      { "THREAD.md": "# t\n", "GOAL.md": "# Goal\n\nKeep notes.\n", "PERMISSIONS.md": "# Permissions\n" },
      "cli-mem-prop-",
    );
    await mkdir(join(root, "memory"));
    const store = await openMemory({ dir: join(root, "memory") });
    for (const r of runs)
      await writeMemory(
        store,
        { topic: "notes", name: `from-${r}`, description: `a fact from ${r}`, type: "fact", body: "Fact." },
        { run: r, actor: "agent" },
      );
    return root;
  }

  it("memory accept with no RUN takes the only proposal", async () => {
    const root = await withProposals("r1");
    const accepted = await run(root, "memory", "accept");
    expect(accepted).toMatchObject({ code: 0, err: "" });
    expect(accepted.out).toMatch(/^accepted proposal of run r1: /);
    expect((await run(root, "memory", "diff")).out).toBe("no open memory proposals\n");
    const none = await run(root, "memory", "accept");
    expect(none.err).toBe("error: there is no open memory proposal to accept\n");
  });

  it("memory accept with no RUN and several proposals asks which, naming each", async () => {
    const root = await withProposals("r1", "r2");
    const asked = await run(root, "memory", "accept");
    expect(asked.code).toBe(1);
    expect(asked.err).toBe(
      "error: 2 memory proposals are open: which run's?\n  hint: worksite memory accept r1\n  or worksite memory accept r2\n  (worksite memory diff shows what each one changes)\n",
    );
  });

  it("worksite status shows a proposal waiting for review, and stops showing it once accepted", async () => {
    const root = await withProposals("r7");
    const status = await run(root, "status");
    expect(status.code).toBe(0);
    expect(status.out).toContain("memory       1 proposal waiting for review\n");
    expect(status.out).toContain("  run r7   → worksite memory diff r7, then memory accept r7 or reject r7\n");
    expect(JSON.parse((await run(root, "status", "--json")).out).memoryProposals).toEqual(["r7"]);
    await run(root, "memory", "accept", "r7");
    expect((await run(root, "status")).out).toContain("memory       no proposals waiting\n");
  });

  // status looks for proposal refs before it loads the memory package (issue 13 item 3): a packed ref counts.
  it("worksite status still shows a proposal after git packs its branch into packed-refs", async () => {
    const root = await withProposals("r8");
    git(join(root, "memory"), "pack-refs", "--all");
    expect(existsSync(join(root, "memory/.git/refs/heads/memory/proposals/r8"))).toBe(false);
    expect(JSON.parse((await run(root, "status", "--json")).out).memoryProposals).toEqual(["r8"]);
  });

  it("worksite status shows a proposal of a memory folder kept in the worksite's own repository", async () => {
    const root = await tempWorksite(
      { "THREAD.md": "# t\n", "GOAL.md": "# Goal\n\nKeep notes.\n", "PERMISSIONS.md": "# Permissions\n" },
      "cli-mem-parent-",
    );
    git(root, "init", "-q", "-b", "main");
    git(root, "add", "-A");
    execFileSync("git", ["-C", root, "commit", "-qm", "start"], { env: { ...process.env, ...person } });
    await mkdir(join(root, "memory"));
    const store = await openMemory({ dir: join(root, "memory") });
    expect(store.mode).toBe("parent");
    await writeMemory(
      store,
      { topic: "notes", name: "from-r9", description: "a fact from r9", type: "fact", body: "Fact." },
      { run: "r9", actor: "agent" },
    );
    expect(JSON.parse((await run(root, "status", "--json")).out).memoryProposals).toEqual(["r9"]);
  });
});
