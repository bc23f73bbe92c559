import { describe, expect, it } from "vitest";
import { readState } from "@worksite/runtime";
import { createManualClock } from "./clock.js";
import { listWakeRecords, readWakeState } from "./records.js";
import { roundRunner } from "./round-runner.js";
import { startScheduler } from "./scheduler.js";
import type { RoundRunner } from "./wake-thread.js";
import { auditEntries, FINISHING_GOAL, makeThread, progressRounds, threadWith, until } from "./test-support/thread.js";

const T0 = Date.parse("2026-03-02T10:00:00.000Z"); // on a 10s boundary
const runRound = roundRunner();

describe("the embedded scheduler, on a manual clock, with the real run loop", () => {
  it("wakes the thread on schedule: one round per wake, each with an inbox record and an audit entry by automation", async () => {
    const root = await makeThread({ thread: threadWith("wake: 10s") });
    const clock = createManualClock(T0);
    const scheduler = await startScheduler({ roots: [root], runRound, clock, jitter: false });
    expect([...scheduler.next().values()]).toEqual([T0 + 10_000]);
    clock.advance(9_999);
    await scheduler.idle();
    expect(await progressRounds(root)).toEqual([]);
    for (let i = 1; i <= 3; i++) {
      clock.advance(i === 1 ? 1 : 10_000);
      await scheduler.idle();
      expect(await progressRounds(root)).toHaveLength(i);
    }
    await scheduler.stop();
    const records = await listWakeRecords(root);
    expect(records.map((r) => [r.scheduledFor, r.outcome, r.round])).toEqual([
      ["2026-03-02T10:00:10.000Z", "continued", 1],
      ["2026-03-02T10:00:20.000Z", "continued", 2],
      ["2026-03-02T10:00:30.000Z", "continued", 3],
    ]);
    expect(records[0]!.links).toEqual(["PROGRESS.md#round-1", "artifacts/round-1/"]);
    const woke = (await auditEntries(root)).filter((e) => e.type === "wake" && e.actor === "automation");
    expect(woke.filter((e) => e.message?.startsWith("woke the thread"))).toHaveLength(3);
    expect((await readWakeState(root))?.nextWake).toBe("2026-03-02T10:00:40.000Z");
  });

  it("skips a wake that comes while the last wake's round still runs, and records the skip", async () => {
    const root = await makeThread({ thread: threadWith("wake: 10s") });
    const clock = createManualClock(T0);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // The real round, held open until the test lets it finish: a round longer than the period.
    const slow: RoundRunner = async (o) => {
      const result = runRound(o);
      await held;
      return result;
    };
    const scheduler = await startScheduler({ roots: [root], runRound: slow, clock, jitter: false });
    clock.advance(10_000);
    clock.advance(10_000);
    await until(async () => (await listWakeRecords(root)).some((r) => r.outcome === "skipped"));
    release();
    await scheduler.idle();
    await scheduler.stop();
    const records = await listWakeRecords(root);
    expect(records.map((r) => r.outcome).sort()).toEqual(["continued", "skipped"]);
    expect(records.find((r) => r.outcome === "skipped")!.summary).toMatch(/still running \(overlap\)/);
    expect(await progressRounds(root)).toEqual([1]);
    expect(
      (await auditEntries(root)).some((e) => e.type === "wake" && /wake skipped: .*overlap/.test(e.message!)),
    ).toBe(true);
  });

  it("after the machine slept five hours, runs exactly one catch-up that says how many wakes it stands for", async () => {
    const root = await makeThread({ thread: threadWith("wake: 30m") });
    const clock = createManualClock(T0);
    const scheduler = await startScheduler({ roots: [root], runRound, clock, jitter: false });
    clock.advance(30 * 60_000);
    await scheduler.idle();
    clock.jumpTo(T0 + 30 * 60_000 + 5 * 3_600_000 + 1_000);
    await scheduler.idle();
    clock.advance(1_000); // nothing more is due until the next half hour
    await scheduler.idle();
    await scheduler.stop();
    const records = await listWakeRecords(root);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ outcome: "continued", missed: 10, scheduledFor: "2026-03-02T11:00:00.000Z" });
    expect(await progressRounds(root)).toEqual([1, 2]);
    expect((await auditEntries(root)).some((e) => /catch-up for 10 wakes missed/.test(e.message ?? ""))).toBe(true);
  });

  it("catches up once for wakes that fell while no scheduler ran", async () => {
    const root = await makeThread({ thread: threadWith("wake: 1h") });
    const clock = createManualClock(T0);
    let scheduler = await startScheduler({ roots: [root], runRound, clock, jitter: false });
    clock.advance(3_600_000);
    await scheduler.idle();
    await scheduler.stop();
    clock.jumpTo(T0 + 6 * 3_600_000 + 5_000); // the daemon was down for five hours
    scheduler = await startScheduler({ roots: [root], runRound, clock, jitter: false });
    clock.advance(0);
    await scheduler.idle();
    await scheduler.stop();
    expect((await listWakeRecords(root)).map((r) => r.outcome)).toEqual(["continued", "continued"]);
    expect(await progressRounds(root)).toEqual([1, 2]);
  });

  it("stops waking a thread once it is done", async () => {
    const root = await makeThread({ thread: threadWith("wake: 10s"), goal: FINISHING_GOAL });
    const clock = createManualClock(T0);
    const stops: string[] = [];
    const scheduler = await startScheduler({
      roots: [root],
      runRound,
      clock,
      jitter: false,
      onStop: (_r, why) => stops.push(why),
    });
    clock.advance(10_000);
    await scheduler.idle();
    expect((await readState(root)).state).toBe("done");
    expect(stops).toEqual(["the thread is done"]);
    clock.advance(60_000);
    await scheduler.idle();
    await scheduler.stop();
    expect((await listWakeRecords(root)).map((r) => r.outcome)).toEqual(["done"]);
    expect([...scheduler.next().values()]).toEqual([undefined]);
  });

  it("lets a recurring wake expire unless it (or the whole thread) is pinned", async () => {
    const expiring = await makeThread({ thread: threadWith("wake: { schedule: 1h, expires: 2h }") });
    const pinned = await makeThread({ thread: threadWith("wake: { schedule: 1h, expires: 2h, pinned: true }") });
    const pinnedThread = await makeThread({ thread: threadWith("wake: { schedule: 1h, expires: 2h }\npinned: true") });
    const clock = createManualClock(T0);
    const stops: string[] = [];
    const scheduler = await startScheduler({
      roots: [expiring, pinned, pinnedThread],
      runRound,
      clock,
      jitter: false,
      onStop: (_r, why) => stops.push(why),
    });
    for (let h = 0; h < 3; h++) {
      clock.advance(3_600_000);
      await scheduler.idle();
    }
    await scheduler.stop();
    expect(await progressRounds(expiring)).toEqual([1, 2]);
    // On failure, say what each wake recorded (a skip says why).
    const told = async (root: string) =>
      JSON.stringify((await listWakeRecords(root)).map((r) => [r.outcome, r.summary]));
    expect(await progressRounds(pinned), await told(pinned)).toEqual([1, 2, 3]);
    expect(await progressRounds(pinnedThread), await told(pinnedThread)).toEqual([1, 2, 3]);
    expect(stops).toEqual([expect.stringMatching(/recurring wake expired/)]);
  });

  it("spreads threads on one schedule by a fixed jitter of at most 10% of the period", async () => {
    const roots = await Promise.all([1, 2, 3, 4, 5].map(() => makeThread({ thread: threadWith("wake: 10m") })));
    const clock = createManualClock(T0);
    const scheduler = await startScheduler({ roots, runRound, clock });
    const again = await startScheduler({ roots, runRound, clock });
    const due = [...scheduler.next().values()] as number[];
    await scheduler.stop();
    await again.stop();
    for (const d of due) expect(d - (T0 + 600_000)).toBeGreaterThanOrEqual(0);
    for (const d of due) expect(d - (T0 + 600_000)).toBeLessThan(60_000);
    expect(new Set(due).size).toBeGreaterThan(1);
    expect([...again.next().values()]).toEqual(due); // deterministic
  });
});
