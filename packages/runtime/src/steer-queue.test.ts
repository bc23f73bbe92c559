import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pendingMessages, sendMessage } from "./inbox.js";
import { type RunEvent, runThread } from "./run.js";
import {
  auditEntries,
  goal,
  makeWorksite,
  permissions,
  readProgress,
  readState,
  removeWorksites,
  verifyAudit,
  waitFor,
} from "./test-helpers/worksite.js";

afterAll(removeWorksites);

const STEER = 'file.write {"path":"steered.txt","content":"x"}';
/** Outlives the test (so an abort that fails is a timeout), unless the steering already happened: then the rerun is quick. */
const LONG = "require('fs').existsSync('steered.txt') || setTimeout(() => {}, 120000);\n";

describe("steering a running round", () => {
  it("aborts the running tool, counts it as interrupted (not run again), runs the steering, and the round goes on to the end", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node check.js"]
steps:
  - tool: shell.run
    input: { command: "node long.js" }
`),
      permissions: permissions({ Allow: ["file.read", "file.write(steered.txt)", "shell.run(node)"] }),
      files: { "long.js": LONG, "check.js": "process.exit(require('fs').existsSync('steered.txt') ? 0 : 1);\n" },
    });
    const events: RunEvent[] = [];
    // What the gate's logger writes (warn and up go to stderr): the abort is told once, by the run's event, not again as a warning.
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (
      stderr.push(String(chunk)), write(chunk, ...rest)
    )) as typeof process.stderr.write;
    const running = runThread({ root, steerPollMs: 50, onEvent: (e) => events.push(e) }).finally(
      () => (process.stderr.write = write),
    );

    // The long step is running once the gate has decided it and no result is logged yet.
    await waitFor(async () => {
      const entries = await auditEntries(root);
      const decided = entries.some((e) => e.type === "decision" && e.target === "node long.js");
      return decided && !entries.some((e) => e.type === "result" && e.target === "node long.js");
    }, "the long step to start");
    expect((await readState(root)).inProgress?.round).toBe(1);
    await sendMessage(root, "steer", STEER, "person:test");
    expect((await pendingMessages(root, "steer")).map((m) => m.text)).toEqual([STEER]);

    const result = await running;
    expect(stderr.join("")).not.toContain("aborted");
    expect(result.state).toBe("done");
    expect(result.rounds).toEqual([1]);
    expect(existsSync(join(root, "steered.txt"))).toBe(true);
    expect(await pendingMessages(root, "steer")).toEqual([]);

    const entries = await auditEntries(root);
    const longResults = entries.filter((e) => e.type === "result" && e.target === "node long.js").map((e) => e.outcome);
    expect(longResults).toEqual(["aborted"]); // aborted by the steer, and not run again
    const taken = entries.filter((e) => e.type === "inbox");
    expect(taken).toMatchObject([{ actor: "person:test", round: 1, message: `steering taken: ${STEER}` }]);
    expect(events).toContainEqual(expect.objectContaining({ type: "call", tool: "shell.run", status: "aborted" }));
    expect(events).toContainEqual({ type: "steered", round: 1, text: STEER });
    // The steering call came after the abort; the interrupted step was not rerun.
    const calls = events.filter((e) => e.type === "call").map((e) => `${e.tool}:${e.status}`);
    expect(calls).toEqual(["shell.run:aborted", "file.write:ok", "shell.run:ok"]); // the last: verification's node check.js

    const progress = await readProgress(root);
    expect(progress).toContain(`Steered: ${STEER}`);
    expect(progress).toMatch(/- shell\.run: aborted \(allow\) — interrupted: /); // the report shows the interrupted step
    expect((await verifyAudit(root)).ok).toBe(true);
  });
});

describe("steering sent while no run is active", () => {
  it("is taken at the start of the next run's first round, acted on, and audited as taken", async () => {
    const root = await makeWorksite({
      goal: goal(`verify: ["node check.js"]`),
      permissions: permissions({ Allow: ["file.read", "file.write(steered.txt)", "shell.run(node check.js)"] }),
      files: { "check.js": "process.exit(require('fs').existsSync('steered.txt') ? 0 : 1);\n" },
    });
    await sendMessage(root, "steer", STEER, "person:test");
    const events: RunEvent[] = [];
    const result = await runThread({ root, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ state: "done", rounds: [1] });
    expect(existsSync(join(root, "steered.txt"))).toBe(true);
    expect(await pendingMessages(root, "steer")).toEqual([]);
    expect(events.slice(0, 2)).toEqual([
      { type: "round-start", round: 1 },
      { type: "steered", round: 1, text: STEER },
    ]);
    const taken = (await auditEntries(root)).filter((e) => e.type === "inbox");
    expect(taken).toMatchObject([{ actor: "person:test", round: 1, message: `steering taken: ${STEER}` }]);
    expect(await readProgress(root)).toContain(`Steered: ${STEER}`);
  });
});

describe("queueing instructions", () => {
  it("puts a queued instruction back, first in line, when Ctrl-C stops the round that took it", async () => {
    const root = await makeWorksite({
      goal: goal(`verify: ["node check.js"]`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node)"] }),
      files: { "long.js": "setTimeout(() => {}, 20000);\n", "check.js": "process.exit(0);\n" },
    });
    const first = 'shell.run {"command":"node long.js"}';
    const second = "then update the README";
    await sendMessage(root, "queue", first, "person:test");
    await sendMessage(root, "queue", second, "person:test");
    const controller = new AbortController();
    const running = runThread({ root, signal: controller.signal });
    await waitFor(
      async () => (await auditEntries(root)).some((e) => e.type === "decision" && e.target === "node long.js"),
      "the queued instruction's step to start",
    );
    expect((await pendingMessages(root, "queue")).map((m) => m.text)).toEqual([second]);
    controller.abort();
    const stopped = await running;
    expect(stopped.rounds).toEqual([]);

    expect((await pendingMessages(root, "queue")).map((m) => m.text)).toEqual([first, second]);
    const inbox = (await auditEntries(root)).filter((e) => e.type === "inbox").map((e) => [e.round, e.message]);
    expect(inbox).toEqual([
      [1, `queued instruction taken: ${first}`],
      [1, `queued instruction put back (round 1 was interrupted): ${first}`],
    ]);
    expect((await verifyAudit(root)).ok).toBe(true);
  });

  it("takes one queued message per round, oldest first, and lists the rest as pending until taken", async () => {
    const root = await makeWorksite({
      goal: goal(`verify: ["node check.js"]`),
      permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"] }),
      files: { "check.js": "process.exit(require('fs').existsSync('src/two.txt') ? 0 : 1);\n" },
    });
    const first = 'file.write {"path":"src/one.txt","content":"1"}';
    const second = 'file.write {"path":"src/two.txt","content":"2"}';
    await sendMessage(root, "queue", first, "person:test");
    await sendMessage(root, "queue", second, "person:test");
    expect((await pendingMessages(root, "queue")).map((m) => m.text)).toEqual([first, second]);

    const pendingAtStart: Promise<[number, string[]]>[] = [];
    const result = await runThread({
      root,
      onEvent: (e) => {
        if (e.type === "round-start")
          pendingAtStart.push(pendingMessages(root, "queue").then((m) => [e.round, m.map((x) => x.text)]));
      },
    });
    expect(result.rounds).toEqual([1, 2]);
    expect(result.state).toBe("done");
    expect(await Promise.all(pendingAtStart)).toEqual([
      [1, [second]],
      [2, []],
    ]);
    expect(await readFile(join(root, "src/one.txt"), "utf8")).toBe("1");
    expect(await readFile(join(root, "src/two.txt"), "utf8")).toBe("2");

    const taken = (await auditEntries(root)).filter((e) => e.type === "inbox");
    expect(taken.map((e) => [e.round, e.message])).toEqual([
      [1, `queued instruction taken: ${first}`],
      [2, `queued instruction taken: ${second}`],
    ]);
    const progress = await readProgress(root);
    expect(progress).toMatch(new RegExp(`## Round 1 — [^\\n]*\\n\\nRun [^\\n]*Instruction: ${escapeRegExp(first)}`));
    expect(progress).toMatch(new RegExp(`## Round 2 — [^\\n]*\\n\\nRun [^\\n]*Instruction: ${escapeRegExp(second)}`));
  });

  it("keeps messages sent in quick succession in the order they were sent", async () => {
    const root = await makeWorksite({ goal: goal(`verify: []`) });
    const texts = Array.from({ length: 20 }, (_, i) => `message ${i}`);
    for (const text of texts) await sendMessage(root, "queue", text, "person:test");
    expect((await pendingMessages(root, "queue")).map((m) => m.text)).toEqual(texts);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
