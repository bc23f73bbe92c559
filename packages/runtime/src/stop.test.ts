import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { liveLock } from "./lock.js";
import { runThread } from "./run.js";
import { goal, makeWorksite, readState, removeWorksites, verifyAudit } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

describe("a stop while a round is being prepared", () => {
  it("reaches the agent: no step runs, the round is marked interrupted, the lock is released", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: file.write
    input: { path: src/a.txt, content: "should not be written" }
`),
    });
    const controller = new AbortController();
    // round-start is sent before the round's context is gathered and the agent is called: the stop lands in between.
    const result = await runThread({
      root,
      signal: controller.signal,
      onEvent: (e) => void (e.type === "round-start" && controller.abort()),
    });
    expect(result.rounds).toEqual([]);
    expect(result.reason).toContain("round 1 was interrupted");
    expect(existsSync(join(root, "src/a.txt"))).toBe(false);
    expect((await readState(root)).inProgress).toMatchObject({ round: 1, interruptedAt: expect.any(String) });
    expect(await liveLock(root)).toBeUndefined();
    expect((await verifyAudit(root)).ok).toBe(true);
  });
});
