import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";
import { runCliProcess, startCli } from "../test-support/spawn-cli.js";

/** Round 1 writes a file and runs a command that takes over a second; verification then passes. */
function liveWorksite(): Promise<string> {
  return tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n\n## Owns\n- src/\n",
      "GOAL.md": [
        "---",
        'verify: ["node check.js"]',
        "steps:",
        "  - tool: file.write",
        '    input: { path: src/a.txt, content: "one" }',
        "  - tool: shell.run",
        '    input: { command: "node slow.js" }',
        "---",
        "# Goal",
        "Write src/a.txt.",
        "",
      ].join("\n"),
      "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run(node)`\n",
      "check.js": "process.exit(require('fs').existsSync('src/a.txt') ? 0 : 1);\n",
      // Long enough that the outcome line carries its time (steps of a second or more do).
      "slow.js": "setTimeout(() => console.log('slow step done'), 1500);\n",
    },
    "worksite-live-",
  );
}

/** Each test starts several real `worksite` processes and a run: a generous deadline for a loaded machine. */
const SLOW = { timeout: 120_000 };

const lineIndex = (out: string, pattern: RegExp) => out.split("\n").findIndex((l) => pattern.test(l));

describe("worksite run shows the agent work as it happens", SLOW, () => {
  it("prints each step when it starts, then its outcome, with the time a long step took", async () => {
    const root = await liveWorksite();
    const { code, out } = await runCliProcess(["run"], root);
    expect(code).toBe(0);
    const started = lineIndex(out, /^ {2}… +shell\.run {2}node slow\.js$/);
    const ended = lineIndex(out, /^ {2}ok +shell\.run {2}\$ node slow\.js.*\(\d+\.\d s\)$/);
    expect(started, out).toBeGreaterThan(-1);
    expect(ended, out).toBeGreaterThan(started);
    expect(lineIndex(out, /^ {2}… +file\.write {2}src\/a\.txt$/)).toBeLessThan(lineIndex(out, /^ {2}ok +file\.write/));
    // Piped output has no terminal codes: no carriage returns, no erase-line sequences.
    expect(out).not.toMatch(/\r|\u001b\[/);
  });

  it("shows the start line while the step is still running", async () => {
    const root = await liveWorksite();
    const cli = startCli(["run"], root);
    const seen = await cli.waitForOutput(/… +shell\.run {2}node slow\.js/);
    // The step was announced before its outcome existed.
    expect(seen).not.toMatch(/ok +shell\.run/);
    expect(await cli.exited).toBe(0);
    expect(cli.out).toMatch(/ok +shell\.run {2}\$ node slow\.js/);
  });

  it("runs queued instructions after the goal is met instead of ending done while they wait", async () => {
    const root = await liveWorksite();
    await runCli(["queue", 'file.write {"path":"src/q1.txt","content":"first"}'], root);
    await runCli(["queue", 'file.write {"path":"src/q2.txt","content":"second"}'], root);
    const { code, out } = await runCliProcess(["run"], root);
    expect(code).toBe(0);
    // Round 1 meets the goal with the first instruction; the second is not left waiting behind a "done".
    expect(out).toMatch(/^Round 1 — instruction: file\.write \{"path":"src\/q1\.txt"/m);
    expect(out).toMatch(/^Round 2 — instruction: file\.write \{"path":"src\/q2\.txt"/m);
    expect(await readFile(join(root, "src/q2.txt"), "utf8")).toBe("second");
    expect(out).not.toContain("Still queued");
    expect((await runCli(["status"], root)).out).toMatch(/^queued +none$/m);
  });

  it("says plainly which queued instructions are still waiting when the run stops before them", async () => {
    const root = await liveWorksite();
    await runCli(["queue", "first look at the logs"], root);
    await runCli(["queue", "then update the changelog"], root);
    const { code, out } = await runCliProcess(["run", "--rounds", "1"], root);
    expect(code).toBe(0);
    expect(out).toContain("Still queued (1), not run yet:\n  1. then update the changelog\n");
    expect(out).toContain("The next `worksite run` takes them in this order.");
    const json = JSON.parse((await runCliProcess(["run", "--rounds", "1", "--json"], root)).out);
    expect(json.queued).toBeUndefined();
    expect(json.rounds).toEqual([2]);
  });
});

describe("worksite audit tail --follow", SLOW, () => {
  it("keeps printing entries as they are appended, and goes on after the log is replaced", async () => {
    const root = await liveWorksite();
    expect((await runCli(["call", "file.list", "{}"], root)).code).toBe(0);
    const cli = startCli(["audit", "tail", "--follow", "--tool", "file.*"], root);
    await cli.waitForOutput(/file\.list/);
    expect(cli.out).not.toContain("file.read");

    expect((await runCli(["call", "file.read", '{"path":"check.js"}'], root)).code).toBe(0);
    await cli.waitForOutput(/file\.read +check\.js/);

    // Rotated: the old log moves away and a new file takes its name.
    const log = join(root, ".worksite", "audit.jsonl");
    const last = (await readFile(log, "utf8")).trim().split("\n").at(-1)!;
    const rotated = JSON.stringify({ ...JSON.parse(last), target: "after-rotation.txt" });
    await rename(log, `${log}.1`);
    await writeFile(`${log}.new`, `${rotated}\n`);
    await rename(`${log}.new`, log);
    await cli.waitForOutput(/after-rotation\.txt/);
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  it("prints one JSON object per line with --json --follow", async () => {
    const root = await liveWorksite();
    expect((await runCli(["call", "file.list", "{}"], root)).code).toBe(0);
    const cli = startCli(["audit", "tail", "-f", "--json", "-n", "1"], root);
    await cli.waitForOutput(/\n/);
    expect((await runCli(["call", "file.read", '{"path":"check.js"}'], root)).code).toBe(0);
    await cli.waitForOutput(/"target":"check\.js"/);
    for (const line of cli.out.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(143);
  });
});

describe("worksite status --watch", SLOW, () => {
  it("redraws when something changes (a queued instruction, a finished run) and ends on Ctrl-C", async () => {
    const root = await liveWorksite();
    const cli = startCli(["status", "--watch"], root);
    await cli.waitForOutput(/^queued +none$/m);
    await runCli(["queue", "tidy the docs"], root);
    await cli.waitForOutput(/^queued +1\. "tidy the docs"$/m);
    await runCliProcess(["run", "--rounds", "1"], root);
    await cli.waitForOutput(/^round +1$/m);
    // Off a terminal each new status follows a blank line, and only a status that differs is printed again.
    const blocks = cli.out.trim().split("\n\n");
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]).not.toBe(blocks[i - 1]);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });
});
