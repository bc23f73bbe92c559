import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createManualClock } from "./clock.js";
import { listWakeRecords } from "./records.js";
import { roundRunner } from "./round-runner.js";
import { readAutomations } from "./scheduled.js";
import { startScheduler } from "./scheduler.js";
import { auditEntries, makeThread, ONGOING_GOAL, threadWith } from "./test-support/thread.js";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-C", cwd, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  });

describe("scheduled automations (automations/*.md)", () => {
  it("each run starts fresh in a work tree of its own at HEAD; the person's checkout is never touched", async () => {
    const root = await makeThread({ thread: threadWith("stage: write"), goal: ONGOING_GOAL });
    await mkdir(join(root, "automations"));
    await writeFile(
      join(root, "automations", "digest.md"),
      "---\nschedule: 10s\nstage: draft\n---\nSummarise what changed since yesterday.\n",
    );
    await writeFile(join(root, ".gitignore"), ".worksite/\n");
    git(root, "init", "-q");
    git(root, "add", "-A");
    git(root, "commit", "-qm", "start");
    const head = git(root, "rev-parse", "HEAD");
    const runs = await mkdtemp(join(tmpdir(), "worksite-runs-"));
    const clock = createManualClock(T0);
    const scheduler = await startScheduler({
      roots: [root],
      runRound: roundRunner(),
      clock,
      jitter: false,
      env: { ...process.env, WORKSITE_AUTOMATION_RUNS: runs },
    });
    for (let i = 0; i < 2; i++) {
      clock.advance(10_000);
      await scheduler.idle();
    }
    await scheduler.stop();
    const records = await listWakeRecords(root);
    expect(records.map((r) => [r.automation, r.outcome, r.round, r.stage])).toEqual([
      ["digest", "continued", 1, "draft"],
      ["digest", "continued", 1, "draft"],
    ]);
    const folders = records.map((r) => r.links[0]!.replace(/\/PROGRESS\.md$/, ""));
    expect(new Set(folders).size).toBe(2);
    for (const folder of folders) {
      // A clean context: round 1, the instruction queued for it, the stage the automation asks for.
      expect(await readFile(join(folder, "PROGRESS.md"), "utf8")).toMatch(/^## Round 1 — /m);
      expect(await readFile(join(folder, "THREAD.md"), "utf8")).toMatch(/^stage: draft$/m);
      const taken = (await auditEntries(folder)).find((e) => e.type === "inbox");
      expect(taken?.message).toBe("queued instruction taken: Summarise what changed since yesterday.");
      expect(folder.startsWith(runs)).toBe(true);
    }
    expect(git(folders[0]!, "rev-parse", "HEAD")).toBe(head);
    // The person's checkout: same commit, nothing changed, no report written into it.
    expect(git(root, "rev-parse", "HEAD")).toBe(head);
    expect(git(root, "status", "--porcelain")).toBe("");
    expect(existsSync(join(root, "PROGRESS.md"))).toBe(false);
  });

  it("names the file and line of an automation it cannot read", async () => {
    const root = await makeThread({ thread: threadWith("stage: write") });
    await mkdir(join(root, "automations"));
    await writeFile(join(root, "automations", "bad.md"), "---\nschedule: every tuesday\n---\nDo it.\n");
    await writeFile(join(root, "automations", "empty.md"), "---\nschedule: 1h\n---\n");
    const { automations, problems } = await readAutomations(root);
    expect(automations).toEqual([]);
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^automations\/bad\.md:2: schedule: .*neither an interval nor a cron/),
      "automations/empty.md:4: the automation has no instruction",
    ]);
  });
});
