import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listWakeRecords, type WakeRecord } from "@worksite/automations";
import { startRedis } from "@worksite/automations/test-support/redis";
import { openAuditLog } from "@worksite/core";
import { readLock, readState } from "@worksite/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/*
 * Issue 16, many machines: a real redis-server on a free loopback port, and real `worksite wake --queue`
 * worker processes sharing one thread's schedule through BullMQ.
 */

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const bin = join(repo, "packages/cli/dist/bin.js");
const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run(node)`\n";
const thread = (fm: string) => `---\nagent: script\n${fm}\n---\n# Watcher\n\n## Owns\n- src/\n`;
const goalWith = (step: string) =>
  `---\nverify:\n  - artifact: never/*.txt\npause: { repeatedFailure: 1000, maxRounds: 1000 }\nsteps:\n${step}---\n# Goal\nKeep watch.\n`;

let url: string;

async function until(check: () => Promise<boolean> | boolean, ms = 150_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

let stopRedis: (() => void) | undefined;
beforeAll(async () => {
  const started = await startRedis();
  url = started.url;
  stopRedis = started.stop;
}, 30_000);

afterAll(() => {
  stopRedis?.();
});

function worker(root: string, extra: string[] = []) {
  const child = spawn(process.execPath, [bin, "wake", "--json", "-w", root, "--queue", url, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("close", r));
  return { child, exited, err: () => err };
}

const ran = (records: WakeRecord[]) => records.filter((r) => r.round !== undefined);
async function progressRounds(root: string): Promise<number[]> {
  const text = await readFile(join(root, "PROGRESS.md"), "utf8").catch(() => "");
  return [...text.matchAll(/^## Round (\d+) — /gm)].map((m) => Number(m[1]));
}

/** Each wake ran once: one result per scheduled time, PROGRESS.md's rounds 1..N once each, the audit log agreeing, the chain intact. */
async function expectEachWakeOnce(root: string): Promise<void> {
  const records = await listWakeRecords(root);
  const done = ran(records);
  const times = done.map((r) => r.scheduledFor);
  expect(new Set(times).size).toBe(times.length);
  const rounds = await progressRounds(root);
  expect(rounds).toEqual(rounds.map((_, i) => i + 1));
  expect(done.map((r) => r.round).sort((a, b) => a! - b!)).toEqual(rounds);
  const entries = await openAuditLog(join(root, ".worksite", "audit.jsonl")).entries();
  const ended = entries.filter((e) => /^round \d+ ended: /.test(e.message ?? "")).map((e) => e.round);
  expect(ended).toEqual(rounds);
  const verify = await runCli(["audit", "verify", "-w", root], root);
  expect(verify.code, verify.out + verify.err).toBe(0);
}

describe("worksite wake --queue: workers share one schedule through Redis", () => {
  it("three workers on one 2s schedule: each wake runs exactly once", { timeout: 240_000 }, async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 2s"),
      "GOAL.md": goalWith('  - tool: file.write\n    input: { path: src/note.txt, content: "looked" }\n'),
      "PERMISSIONS.md": PERMISSIONS,
    });
    const workers = [worker(root), worker(root), worker(root)];
    await until(async () => ran(await listWakeRecords(root)).length >= 5);
    for (const w of workers) w.child.kill("SIGTERM");
    for (const w of workers) expect(await w.exited, w.err()).toBe(143);
    await expectEachWakeOnce(root);
  });

  it("a worker killed with SIGKILL mid-round: its wake finishes on another worker, nothing lost or doubled", {
    timeout: 300_000,
  }, async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 6s"),
      "GOAL.md": goalWith('  - tool: shell.run\n    input: { command: "node -e \\"setTimeout(()=>{},1500)\\"" }\n'),
      "PERMISSIONS.md": PERMISSIONS,
    });
    const workers = [
      worker(root, ["--queue-lock", "2s"]),
      worker(root, ["--queue-lock", "2s"]),
      worker(root, ["--queue-lock", "2s"]),
    ];
    // Let one wake complete, then kill whoever runs the next round, mid-round.
    await until(async () => ran(await listWakeRecords(root)).length >= 1);
    await until(async () => (await readState(root)).inProgress !== undefined);
    const holder = await readLock(root);
    const victim = workers.find((w) => w.child.pid === holder?.pid);
    expect(victim, "the round runs in one of the workers").toBeDefined();
    const killedRun = holder!.run;
    const killedWake = (await openAuditLog(join(root, ".worksite", "audit.jsonl")).entries())
      .filter((e) => e.type === "wake" && e.data?.worker === `${hostname()}:${holder!.pid}`)
      .at(-1)?.data?.wake as string | undefined;
    expect(killedWake).toBeDefined();
    victim!.child.kill("SIGKILL");
    await victim!.exited;
    // The same wake (same record id) is finished by a surviving worker.
    await until(async () => (await listWakeRecords(root)).some((r) => r.id === killedWake && r.round !== undefined));
    await until(async () => ran(await listWakeRecords(root)).length >= 3);
    const others = workers.filter((w) => w !== victim);
    for (const w of others) w.child.kill("SIGTERM");
    for (const w of others) expect(await w.exited, w.err()).toBe(143);
    const finished = (await listWakeRecords(root)).find((r) => r.id === killedWake)!;
    expect(finished.worker).not.toBe(`${hostname()}:${holder!.pid}`);
    const entries = await openAuditLog(join(root, ".worksite", "audit.jsonl")).entries();
    expect(entries.some((e) => e.message?.startsWith(`took over the lock of run ${killedRun}`))).toBe(true);
    expect(entries.some((e) => /was interrupted \(run .*\); redoing it/.test(e.message ?? ""))).toBe(true);
    await expectEachWakeOnce(root);
  });
});
