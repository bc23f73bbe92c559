import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startQueueWorker } from "./queue.js";
import { listWakeRecords } from "./records.js";
import { roundRunner } from "./round-runner.js";
import { startRedis } from "./test-support/redis.js";
import { auditEntries, makeThread, progressRounds, threadWith, until } from "./test-support/thread.js";

let redis: Awaited<ReturnType<typeof startRedis>>;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ host: "127.0.0.1", port: redis.port });
}, 30_000);
afterAll(() => {
  client?.disconnect();
  redis?.stop();
});
beforeEach(async () => {
  await client.flushall();
});

/** A thread lock as a worker on another machine would have left it. */
async function lockFromElsewhere(root: string, run: string): Promise<void> {
  await mkdir(join(root, ".worksite"), { recursive: true });
  const holder = { pid: 4_000_000, host: "another-machine", run, started: new Date().toISOString(), nonce: "abc" };
  await writeFile(join(root, ".worksite", "lock"), JSON.stringify(holder));
}

describe("a thread lock held on another machine, with the queue (real redis-server)", () => {
  it("is taken over when Redis knows it as a worker's round whose heartbeat lapsed", async () => {
    const root = await makeThread({ thread: threadWith("wake: 1s") });
    await lockFromElsewhere(root, "run-of-a-dead-worker");
    await client.set("worksite:wake:run:run-of-a-dead-worker", "another-machine:1");
    const worker = await startQueueWorker({ url: redis.url, roots: [root], runRound: roundRunner(), lockMs: 2_000 });
    try {
      await until(async () => (await progressRounds(root)).length >= 1);
    } finally {
      await worker.stop();
    }
    const entries = await auditEntries(root);
    expect(
      entries.some((e) =>
        /took over the lock of run run-of-a-dead-worker \(pid 4000000 on another-machine\): its worker's heartbeat in Redis lapsed/.test(
          e.message ?? "",
        ),
      ),
    ).toBe(true);
  });

  it("is left alone when Redis does not know it (a person's run on that machine): the wake is skipped with why", async () => {
    const root = await makeThread({ thread: threadWith("wake: 1s") });
    await lockFromElsewhere(root, "run-of-a-person");
    const worker = await startQueueWorker({ url: redis.url, roots: [root], runRound: roundRunner(), lockMs: 2_000 });
    try {
      await until(async () => (await listWakeRecords(root)).length >= 1);
    } finally {
      await worker.stop();
    }
    expect((await listWakeRecords(root))[0]).toMatchObject({
      outcome: "skipped",
      summary: expect.stringMatching(/^a round is running \(run run-of-a-person, pid 4000000 on another-machine/),
    });
    expect(existsSync(join(root, ".worksite", "lock"))).toBe(true);
    expect(await progressRounds(root)).toEqual([]);
  });
});
