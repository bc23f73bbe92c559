import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listApprovals } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/**
 * Each round: write src/work.txt, ask to run `node publish.js` (a person must confirm it), and leave a
 * note with a check for the next wake. Verification fails while a file named `broken` exists.
 */
function fiveRoundThread(): Promise<string> {
  return tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Publish thread\n\n## Owns\n- src/\n",
      "GOAL.md": [
        "---",
        'verify: ["node check.js"]',
        "pause: { repeatedFailure: 5, maxRounds: 10 }",
        "steps:",
        "  - tool: file.write",
        '    input: { path: src/work.txt, content: "work" }',
        "  - tool: shell.run",
        '    input: { command: "node publish.js" }',
        "  - tool: thread.report",
        '    input: { note: "round done", nextWake: ["look at the publish log"] }',
        "---",
        "# Goal",
        "Keep the check green and publish.",
        "",
      ].join("\n"),
      "PERMISSIONS.md": [
        "# Permissions",
        "",
        "## Allow",
        "- `file.read`",
        "- `file.write(src/**)`",
        "- `shell.run(node check.js)`",
        "- `thread.*`",
        "",
        "## Requires confirmation",
        "- `shell.run(node publish.js)`",
        "",
      ].join("\n"),
      "check.js": "process.exit(require('fs').existsSync('broken') ? 1 : 0);\n",
      "publish.js": "console.log('published');\n",
    },
    "worksite-standing-",
  );
}

const alice = { WORKSITE_USER: "alice" };

/** PROGRESS.md's `## Standing` section, as a person reads it after the last round. */
async function standingSection(root: string): Promise<string> {
  const progress = await readFile(join(root, "PROGRESS.md"), "utf8");
  const match = /^## Standing\n[\s\S]*?(?=^## Round \d+ — )/m.exec(progress);
  expect(match, "PROGRESS.md has a standing section above the rounds").not.toBeNull();
  return match![0];
}

/** A part of the standing section, from its `### Heading` to the next. */
function part(section: string, heading: string): string {
  const start = section.indexOf(`### ${heading}\n`);
  expect(start, `the standing section has "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = section.slice(start + heading.length + 5);
  const end = rest.search(/^### /m);
  return end < 0 ? rest : rest.slice(0, end);
}

async function runOneRound(root: string): Promise<void> {
  const { code, err } = await runCli(["run", "--rounds", "1"], root, alice);
  expect(err).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  expect([0, 2, 3]).toContain(code);
}

async function pendingId(root: string): Promise<string> {
  const pending = (await listApprovals(root)).filter((a) => a.status === "pending");
  expect(pending).toHaveLength(1);
  return pending[0]!.id;
}

describe("the thread's standing state, kept across rounds in PROGRESS.md", () => {
  it("over five rounds with an approval, a denial, a steer and a rollback: decisions with actor and audit link, a blocker open rounds 2–3 and closed in 4, what the next wake checks", async () => {
    const root = await fiveRoundThread();

    await runOneRound(root); // round 1: publish waits for a person
    const first = await pendingId(root);
    expect((await runCli(["approve", first], root, alice)).code).toBe(0);

    await writeFile(join(root, "broken"), "a person broke the check\n");
    await runOneRound(root); // round 2: the approved publish runs; the check fails; publish asks again
    const afterTwo = await standingSection(root);
    expect(part(afterTwo, "Open problems")).toMatch(/\*\*P1\*\* node check\.js: .*since round 2, open 1 round\b/);
    const second = await pendingId(root);
    expect((await runCli(["deny", second, "--reason", "not this week"], root, alice)).code).toBe(0);

    expect((await runCli(["steer", "fix the check before publishing"], root, alice)).code).toBe(0);
    await runOneRound(root); // round 3: steered; still broken
    const afterThree = await standingSection(root);
    expect(part(afterThree, "Open problems")).toMatch(/\*\*P1\*\* node check\.js: .*since round 2, open 2 rounds/);
    const nextWake = part(afterThree, "On the next wake");
    const third = await pendingId(root);
    expect(nextWake).toContain(`decide ${third}: shell.run node publish.js`);
    expect(nextWake).toContain("make node check.js pass (P1, failing since round 2)");
    expect(nextWake).toContain("look at the publish log _(proposed by the agent)_");

    await rm(join(root, "broken"));
    await runOneRound(root); // round 4: the check passes again
    const afterFour = await standingSection(root);
    expect(part(afterFour, "Open problems")).not.toContain("**P1**");
    expect(part(afterFour, "Open problems")).toMatch(/~~P1~~ node check\.js: .*passed in round 4; open rounds 2–3/);
    expect(part(afterFour, "On the next wake")).not.toContain("make node check.js pass");

    // Back to round 3's files: `broken` with them, so round 5 fails again — a new problem, P1 stays closed.
    expect((await runCli(["rollback", "3", "--yes"], root, alice)).code).toBe(0);
    await runOneRound(root); // round 5
    const openAfterFive = part(await standingSection(root), "Open problems");
    expect(openAfterFive).toMatch(/~~P1~~ .*open rounds 2–3/);
    expect(openAfterFive).toMatch(/\*\*P2\*\* node check\.js: .*since round 5/);

    const decisions = part(await standingSection(root), "Decisions");
    const audit = (await readFile(join(root, ".worksite", "audit.jsonl"), "utf8")).trimEnd().split("\n");
    const links = [
      ...decisions.matchAll(/^- .* — (person:[\w-]+): (.*) — \[audit #(\d+)\]\(\.worksite\/audit\.jsonl#L(\d+)\)$/gm),
    ];
    const said = links.map((m) => `${m[1]}: ${m[2]}`);
    expect(said).toEqual([
      expect.stringMatching(new RegExp(`^person:alice: approved ${first}`)),
      expect.stringMatching(new RegExp(`^person:alice: denied ${second}: not this week`)),
      expect.stringMatching(/^person:alice: steering taken: fix the check before publishing/),
      expect.stringMatching(/^person:alice: rolled back to round 3: 1 file restored/),
    ]);
    // Each link opens the audit log at the entry it names, by a person.
    for (const [, actor, , seq, line] of links) {
      const entry = JSON.parse(audit[Number(line) - 1]!) as { seq: number; actor: string };
      expect(entry).toMatchObject({ seq: Number(seq), actor });
    }
    expect(part(await standingSection(root), "People and systems")).toMatch(/people: person:alice \(4\)/);

    // The same picture now, from the CLI.
    const status = await runCli(["status"], root, alice);
    expect(status.out).toMatch(/problems\s+P2 \(since round 5\) node check\.js/);
    expect(status.out).toMatch(/check next\s+decide ap_/);
    const printed = await runCli(["report", "--standing"], root, alice);
    expect(printed.out).toMatch(/^## Standing/);
    expect(printed.out).toContain("### Stop conditions");
    expect(printed.out).toMatch(/same failure: 1 of 5/);
    expect(printed.out).toMatch(/rounds: 5 of 10/);
  });

  it("a person closes a problem: recorded in the audit log, closed at once in `report --standing`, and kept closed by the next round", async () => {
    const root = await fiveRoundThread();
    await writeFile(join(root, "broken"), "x\n");
    await runOneRound(root);
    expect((await runCli(["report", "--standing"], root, alice)).out).toMatch(/\*\*P1\*\* node check\.js/);

    const wrong = await runCli(["problem", "close", "P9"], root, alice);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/P9 is not an open problem of this thread[\s\S]*open problems: P1/);

    const closed = await runCli(["problem", "close", "P1", "--reason", "known flake, tracked elsewhere"], root, alice);
    expect(closed.code).toBe(0);
    expect(closed.out).toMatch(/closed P1 \(audit #\d+\)/);
    const now = (await runCli(["report", "--standing"], root, alice)).out;
    expect(now).toMatch(/~~P1~~ .* closed by person:alice: known flake, tracked elsewhere \(audit #\d+\)/);
    expect(now).toMatch(/person:alice: closed problem P1: known flake/);

    await runOneRound(root); // still broken: the check fails again, as a new problem a person sees
    const open = part(await standingSection(root), "Open problems");
    expect(open).toMatch(/~~P1~~ .*closed by person:alice/);
    expect(open).toMatch(/\*\*P2\*\* node check\.js: .*since round 2/);
  });
});
