import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME, schedulerId, startQueueWorker } from "./queue.js";
import { roundRunner } from "./round-runner.js";
import { startRedis } from "./test-support/redis.js";
import { makeThread, progressRounds, threadWith, until } from "./test-support/thread.js";

let redis: Awaited<ReturnType<typeof startRedis>>;
let queue: Queue;
beforeAll(async () => {
  redis = await startRedis();
  queue = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port } });
}, 30_000);
afterAll(async () => {
  await queue?.close();
  redis?.stop();
});

const scheduled = async (root: string) => (await queue.getJobScheduler(schedulerId(root))) !== undefined;

describe("a recurring wake with the queue expires as it does in the embedded scheduler (real redis-server)", () => {
  it("stops an unpinned wake at its expiry, for good across a worker restart, and keeps a pinned one going", async () => {
    const expiring = await makeThread({ thread: threadWith("wake: { schedule: 1s, expires: 3s }") });
    const pinned = await makeThread({ thread: threadWith("wake: { schedule: 1s, expires: 3s, pinned: true }") });
    const stops: [string, string][] = [];
    const start = () =>
      startQueueWorker({
        url: redis.url,
        roots: [expiring, pinned],
        runRound: roundRunner(),
        jitter: false,
        onStop: (root, why) => stops.push([root, why]),
      });
    let worker = await start();
    try {
      await until(() => stops.some(([root]) => root === expiring), 60_000);
      expect(stops.find(([root]) => root === expiring)![1]).toMatch(/recurring wake expired on .*pinned: true/);
      expect(await scheduled(expiring)).toBe(false);
      const ranBeforeExpiry = (await progressRounds(expiring)).length;
      expect(ranBeforeExpiry).toBeGreaterThan(0);
      expect(ranBeforeExpiry).toBeLessThanOrEqual(4);
      // The pinned thread's schedule outlives the other's expiry.
      await until(async () => (await progressRounds(pinned)).length >= ranBeforeExpiry + 2, 60_000);
      expect(await scheduled(pinned)).toBe(true);

      // A worker started later does not bring the expired schedule back: the expiry counts from when it was first seen.
      await worker.stop();
      stops.length = 0;
      worker = await start();
      expect(stops).toEqual([[expiring, expect.stringMatching(/recurring wake expired/)]]);
      expect(await scheduled(expiring)).toBe(false);
      expect(await scheduled(pinned)).toBe(true);
    } finally {
      await worker.stop();
    }
    expect((await progressRounds(expiring)).length).toBeLessThanOrEqual(4);
  }, 150_000);
});
