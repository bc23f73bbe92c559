import { execFile, execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/*
 * Issue 21 item 6: four `memory commit`s at once printed three commit ids, two of which never
 * reached the branch. Each process here is the real `worksite` binary: it writes its own entry and
 * commits at once, so the commits race for the same branch head.
 */

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");
const exec = promisify(execFile);

const entry = (name: string) =>
  `---\nname: ${name}\ndescription: about ${name}\ntype: fact\ntags: [race]\nscope: global\nsource: person:tester\ncreated: 2025-01-01\nupdated: ${new Date().toISOString().slice(0, 10)}\nstatus: active\n---\n\nFact ${name}.\n`;

const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });

describe("concurrent memory commits", () => {
  it("eight `memory commit` processes at once, each with its own new entry: every entry is on the branch and every printed commit is in its history", async () => {
    const root = await tempWorksite({ "memory/race/seed.md": entry("seed") }, "cli-memory-race-");
    expect(
      (await runCli(["memory", "commit", "--memory", "memory", "-m", "seed"], root, { ...process.env })).code,
    ).toBe(0);

    const names = Array.from({ length: 8 }, (_, i) => `entry-${i}`);
    const results = await Promise.all(
      names.map((name) =>
        exec(
          "sh",
          [
            "-c",
            'printf "%s" "$ENTRY" > "memory/race/$NAME.md" && exec "$NODE" "$BIN" memory commit --memory memory -m "add $NAME" --json',
          ],
          {
            cwd: root,
            env: { ...process.env, ENTRY: entry(name), NAME: name, NODE: process.execPath, BIN: bin },
          },
        ),
      ),
    );

    const memory = join(root, "memory");
    const head = git(memory, "rev-parse", "HEAD").trim();
    const onBranch = git(memory, "ls-tree", "-r", "--name-only", head).split("\n");
    for (const name of names) expect(onBranch).toContain(`race/${name}.md`);
    // A process that found its entry already committed by another prints no commit; every one printed is kept.
    const printed = results.flatMap(({ stdout }) => {
      const commit = (JSON.parse(stdout) as { commit?: string }).commit;
      return commit ? [commit] : [];
    });
    expect(printed.length).toBeGreaterThan(0);
    for (const commit of printed)
      expect(
        spawnSync("git", ["-C", memory, "merge-base", "--is-ancestor", commit, head]).status,
        `${commit} is not in the branch's history`,
      ).toBe(0);
    // Nothing is left uncommitted: the folder is what the branch says.
    expect(git(memory, "status", "--porcelain", "--", "race")).toBe("");
  }, 120_000);
});
