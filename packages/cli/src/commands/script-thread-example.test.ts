import { cp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/** The example a person copies from the README: examples/script-thread/ at the repository root. */
const EXAMPLE = resolve(fileURLToPath(import.meta.url), "../../../../../examples/script-thread");

async function copyOfExample(): Promise<string> {
  const root = await tempWorksite({}, "worksite-example-");
  await cp(EXAMPLE, root, { recursive: true });
  return root;
}

/** What each step did: the run also prints a line when a step starts ("  …  tool  target"), tested in live-output.test.ts. */
const outcomes = (out: string) =>
  out
    .split("\n")
    .filter((l) => !l.startsWith("  … "))
    .join("\n");

describe("examples/script-thread, as a person copies and runs it", () => {
  it("checks clean, and worksite run writes the note, reads it back, verifies and is done", async () => {
    const root = await copyOfExample();
    const checked = await runCli(["check"], root);
    expect(checked.code).toBe(0);
    expect(checked.out).toContain("✓ run      grep -q Status notes/status.md  GOAL.md:22");
    expect(checked.out).toContain("ok: 5 rules, 1 enforced check, 0 manual checks");

    const ran = await runCli(["run"], root);
    expect(ran.code).toBe(0);
    expect(outcomes(ran.out)).toMatch(
      /^Round 1\n {2}ok +file\.write {2}created notes\/status\.md \(50 bytes\)\n {2}ok +file\.read {2}# Status\n {2}ok +shell\.run {2}\$ grep -q Status notes\/status\.md\n {2}verification passed\n {2}→ done: verification passed \(1 check\)\n/,
    );
    expect(await readFile(join(root, "notes/status.md"), "utf8")).toBe(
      "# Status\n\nChecked by the script agent in round 1.\n",
    );
    const status = await runCli(["status"], root);
    expect(status.out).toMatch(/^state +done$/m);
  });

  it("a queued `tool.id {json}` line runs first in the next round; a steering line that is not one is shown, not run", async () => {
    const root = await copyOfExample();
    const queued = await runCli(
      ["queue", 'file.write {"path":"notes/next.md","content":"queued by a person\\n"}'],
      root,
    );
    expect(queued.code).toBe(0);
    expect((await runCli(["steer", "please be careful"], root)).code).toBe(0);
    const ran = await runCli(["run"], root);
    expect(ran.code).toBe(0);
    expect(outcomes(ran.out)).toMatch(
      /^Round 1 — instruction: file\.write \{"path":"notes\/next\.md","content":"queued by a person\\n"\}\n {2}steered please be careful\n {2}ok +file\.write {2}created notes\/next\.md \(19 bytes\)\n {2}ok +file\.write {2}created notes\/status\.md/,
    );
    expect(await readFile(join(root, "notes/next.md"), "utf8")).toBe("queued by a person\n");
  });

  it("on: verify-failed steps run only after a failed check, and repair the note", async () => {
    const root = await copyOfExample();
    expect((await runCli(["run"], root)).code).toBe(0);
    // Break the note as a person might, then ask for another round.
    await cp(join(root, "THREAD.md"), join(root, "notes/status.md"));
    const again = await runCli(["run"], root);
    expect(again.code).toBe(0);
    expect(outcomes(again.out)).toMatch(
      /^Round 2\n {2}ok +file\.read {2}---\n {2}exit 1 +shell\.run {2}\$ grep -q Status notes\/status\.md\n {2}verification failed\n/,
    );
    expect(outcomes(again.out)).toMatch(
      /\nRound 3\n {2}ok +file\.write {2}wrote notes\/status\.md \(51 bytes\)\n {2}ok +file\.read {2}# Status\n {2}ok +shell\.run {2}\$ grep -q Status notes\/status\.md\n {2}verification passed\n {2}→ done: verification passed \(1 check\)\n/,
    );
    expect(await readFile(join(root, "notes/status.md"), "utf8")).toBe(
      "# Status\n\nRepaired by the script agent in round 3.\n",
    );
  });
});

describe("worksite init documents the script agent", () => {
  it("GOAL.md's template shows steps with every on: value and the queue line; uncommented, it checks clean", async () => {
    const root = await tempWorksite({}, "worksite-example-");
    expect((await runCli(["init"], root)).code).toBe(0);
    const goal = await readFile(join(root, "GOAL.md"), "utf8");
    expect(goal).toContain("on: always | first-round | verify-failed | verify-passed");
    expect(goal).toContain(`#   worksite queue 'shell.run {"command":"npm run build"}'`);
    expect(goal).toContain("See examples/script-thread/.");
    // A person removes the # in front of steps: and vars: (and the lines under steps:).
    const start = goal.indexOf("# steps:");
    const end = goal.indexOf("# A steering");
    const uncommented = goal.slice(0, start) + goal.slice(start, end).replace(/^# ?/gm, "") + goal.slice(end);
    expect(uncommented).toMatch(/^steps:\n {2}- tool: shell\.run\n {4}on: always\n/m);
    await writeFile(join(root, "GOAL.md"), uncommented);
    const checked = await runCli(["check"], root);
    expect(checked.err).not.toContain("error");
    expect(checked.code).toBe(0);
  });
});

describe("the round report's Needs a person", () => {
  it("lists a memory proposal an agent made, with the commands to review it", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nagent: script\n---\n# Remember\n",
        "GOAL.md":
          '---\nsteps:\n  - tool: memory.write\n    on: always\n    input: { topic: tooling, name: use-pnpm, description: "We build with pnpm", type: decision, body: "Use pnpm." }\n---\n# Goal\n\n## Goal\nRemember how we build.\n',
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `memory.write`\n",
        "memory/.gitkeep": "",
      },
      "worksite-example-",
    );
    const ran = await runCli(["run", "--rounds", "1"], root);
    expect(ran.err).toBe("");
    const run = /proposed on memory\/proposals\/(\S+) for review/.exec(ran.out)?.[1] ?? "";
    const progress = await readFile(join(root, "PROGRESS.md"), "utf8");
    const needs = progress.split("### Needs a person\n")[1]!.split("\n\n")[0];
    expect(needs).toContain(
      `- review the memory proposal of run ${run}: worksite memory diff ${run}, then memory accept ${run} or reject ${run}`,
    );
    expect((await runCli(["status"], root)).out).toContain("memory       1 proposal waiting for review\n");
  });
});
