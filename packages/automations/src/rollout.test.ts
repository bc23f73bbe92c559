import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { approvalsDir, approve, listApprovals, parseThread } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { createManualClock } from "./clock.js";
import { listWakeRecords } from "./records.js";
import { roundRunner } from "./round-runner.js";
import { applyPromotion, PROMOTE_TOOL } from "./rollout.js";
import { startScheduler } from "./scheduler.js";
import { auditEntries, makeThread, threadWith } from "./test-support/thread.js";
import { auditOf } from "./wake-thread.js";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const runRound = roundRunner();

const clocks = new Map<string, ReturnType<typeof createManualClock>>();
/** `n` more wakes of the thread, on its own clock (time goes on between calls, as it would). */
async function wakes(root: string, n: number, period = 10_000): Promise<void> {
  const clock = clocks.get(root) ?? createManualClock(T0);
  clocks.set(root, clock);
  const scheduler = await startScheduler({
    roots: [root],
    runRound,
    clock,
    jitter: false,
    onError: (_r, e) => {
      throw e;
    },
  });
  for (let i = 0; i < n; i++) {
    clock.advance(period);
    await scheduler.idle();
  }
  await scheduler.stop();
}

const stageOf = async (root: string) =>
  parseThread(await readFile(join(root, "THREAD.md"), "utf8"), { file: "THREAD.md" }).stage;

describe("staged rollout", () => {
  it("files a promotion as an approval once the stage is earned, and a person's approval rewrites stage:", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: monitor\nrollout: { monitor: 2 clean wakes, draft: 5 clean wakes }"),
    });
    await wakes(root, 1);
    expect(await listApprovals(root)).toEqual([]);
    await wakes(root, 1);
    const [promotion] = await listApprovals(root, { status: "pending" });
    expect(promotion).toMatchObject({
      tool: PROMOTE_TOOL,
      target: "stage monitor → draft",
      requestedBy: "automation",
      input: { from: "monitor", to: "draft", earnedBy: "2 clean wakes in monitor" },
    });
    // The stage does not move on its own.
    expect(await stageOf(root)).toBe("monitor");
    await approve(root, promotion!.id, { by: "person:ana", audit: auditOf(root) });
    expect(await applyPromotion(root, promotion!.id, { by: "person:ana", audit: auditOf(root) })).toEqual({
      from: "monitor",
      to: "draft",
    });
    expect(await stageOf(root)).toBe("draft");
    expect(await readFile(join(root, "THREAD.md"), "utf8")).toContain("# Watcher\n\n## Owns\n- src/\n");
    const entry = (await auditEntries(root)).find((e) => e.type === "approval" && /promoted/.test(e.message ?? ""));
    expect(entry).toMatchObject({
      tool: PROMOTE_TOOL,
      actor: "person:ana",
      message: expect.stringMatching(/promoted the thread from monitor to draft/),
    });
    expect((await listApprovals(root)).find((a) => a.id === promotion!.id)?.status).toBe("consumed");
    // The next wake does not file the same promotion again: draft's own count starts now.
    await wakes(root, 1);
    expect(await listApprovals(root, { status: "pending" })).toEqual([]);
  });

  it("demotes the thread one stage at once when a call is refused, and says why", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: write\nrollout: { monitor: 2 clean wakes, draft: 2 clean wakes }"),
      goal: `---\nverify:\n  - artifact: never/*.txt\npause: { repeatedFailure: 100, maxRounds: 100, onForbidden: continue }\nsteps:\n  - tool: file.write\n    input: { path: secrets/key.txt, content: "x" }\n---\n# Goal\nWatch.\n`,
      permissions:
        "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n\n## Forbidden\n- `file.write(secrets/**)`\n",
    });
    await wakes(root, 1);
    expect(await stageOf(root)).toBe("draft");
    const [record] = await listWakeRecords(root);
    expect(record!.incident).toMatch(/a call was refused: file\.write/);
    expect(
      (await auditEntries(root)).some((e) =>
        /demoted the thread from write to draft: a call was refused/.test(e.message ?? ""),
      ),
    ).toBe(true);
  });

  it("demotes when the same verification fails as many wakes in a row as rollout: incidents says", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: draft\nrollout: { monitor: 10 clean wakes, incidents: 2 }"),
    });
    await wakes(root, 1);
    expect(await stageOf(root)).toBe("draft");
    await wakes(root, 1);
    expect(await stageOf(root)).toBe("monitor");
    expect((await listWakeRecords(root)).at(-1)!.incident).toMatch(/the same verification failed 2 times in a row/);
  });
});

describe("promotion without a person (adversarial)", () => {
  it("a promotion record marked approved without a person's seal does not change the stage", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: monitor\nrollout: { monitor: 1 clean wake }"),
    });
    await wakes(root, 1);
    const [promotion] = await listApprovals(root, { status: "pending" });
    // What an attacker with write access to the approvals folder (but not the person's key) could do.
    const dir = (await approvalsDir(root))!;
    const file = (await readdir(dir)).find((n) => n.startsWith(promotion!.id))!;
    const record = JSON.parse(await readFile(join(dir, file), "utf8"));
    await writeFile(join(dir, file), JSON.stringify({ ...record, status: "approved", approvedBy: "person:ana" }));
    await expect(applyPromotion(root, promotion!.id, { by: "person:ana", audit: auditOf(root) })).rejects.toThrow(
      /not approved by a person/,
    );
    expect(await stageOf(root)).toBe("monitor");
  });

  it("the scheduler cannot approve its own promotion", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: monitor\nrollout: { monitor: 1 clean wake }"),
    });
    await wakes(root, 1);
    const [promotion] = await listApprovals(root, { status: "pending" });
    await expect(approve(root, promotion!.id, { by: "automation" })).rejects.toThrow(/only a person approves/);
    expect(await stageOf(root)).toBe("monitor");
  });
});

describe("notify:", () => {
  it("runs the person's command on a result that needs them, with the result in its environment, not its command line", async () => {
    const root = await makeThread({
      thread: threadWith(
        `wake: 10s\nstage: write\nrollout: { monitor: 2 clean wakes }\nnotify: 'printf "%s|%s" "$WORKSITE_WAKE_OUTCOME" "$WORKSITE_WAKE_INCIDENT" > notified.txt'`,
      ),
      goal: `---\nverify:\n  - artifact: never/*.txt\npause: { repeatedFailure: 100, maxRounds: 100, onForbidden: continue }\nsteps:\n  - tool: file.write\n    input: { path: "secrets/$(touch pwned).txt", content: "x" }\n---\n# Goal\nWatch.\n`,
      permissions:
        "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n\n## Forbidden\n- `file.write(secrets/**)`\n",
    });
    await wakes(root, 1);
    const notified = await readFile(join(root, "notified.txt"), "utf8");
    expect(notified).toMatch(/^continued\|a call was refused: file\.write secrets\/\$\(touch pwned\)\.txt/);
    expect(existsSync(join(root, "pwned"))).toBe(false);
  });
});

describe("past the audit log (adversarial)", () => {
  it("an audit log changed behind the scheduler's back demotes the thread at the next wake and says which line", async () => {
    const root = await makeThread({
      thread: threadWith("wake: 10s\nstage: write\nrollout: { monitor: 5 clean wakes, draft: 5 clean wakes }"),
    });
    await wakes(root, 1);
    expect(await stageOf(root)).toBe("write");
    // Someone rewrites what an earlier entry says (a refusal made to look allowed, say).
    const log = join(root, ".worksite", "audit.jsonl");
    const lines = (await readFile(log, "utf8")).split("\n");
    lines[0] = lines[0]!.replace(/"actor":"[^"]*"/, '"actor":"person:someone-else"');
    await writeFile(log, lines.join("\n"));
    await wakes(root, 1);
    expect(await stageOf(root)).toBe("draft");
    expect((await listWakeRecords(root)).at(-1)!.incident).toMatch(/the audit log does not verify \(line 1: /);
  });
});
