// 1,000 threads in one `worksite wake` (issue 16): idle CPU over a minute and memory of the real
// daemon process, then wake latency (the wake's planned time → its round asked for) p50/p99 for
// 1,000 threads due within one jitter window, through the library with the round itself replaced by
// a no-op (the round's own cost is the run loop's, measured elsewhere; this is the scheduler's).
// Run after building:  pnpm exec turbo run build && node bench/wake/run.mjs [THREADS] [IDLE_SECONDS]
import "../own-state.mjs";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startScheduler } from "../../packages/automations/dist/index.js";
import { provenance, writeSection } from "../results-writer.mjs";

const THREADS = Number(process.argv[2] ?? 1000);
const IDLE_S = Number(process.argv[3] ?? 60);
const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const GOAL = "---\nverify: []\npause: { maxRounds: 100 }\n---\n# Goal\nWatch.\n";
const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n";

async function threads(dir, wake) {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < THREADS; i++) {
    const root = join(dir, `t${String(i).padStart(4, "0")}`);
    await mkdir(root);
    await writeFile(join(root, "THREAD.md"), `---\nagent: script\nwake: ${wake}\n---\n# Thread ${i}\n`);
    await writeFile(join(root, "GOAL.md"), GOAL);
    await writeFile(join(root, "PERMISSIONS.md"), PERMISSIONS);
  }
}

const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s here)
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

// 1. The real daemon, idle: every thread wakes hourly, so nothing is due during the minute.
const base = await mkdtemp(join(tmpdir(), "worksite-bench-wake-"));
await threads(join(base, "idle"), "1h");
const started = performance.now();
const child = spawn(process.execPath, [bin, "wake", "--all", join(base, "idle")], {
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("worksite wake")) resolve();
  });
  child.once("exit", (code) => reject(new Error(`worksite wake exited ${code}: ${out}`)));
});
const startupMs = performance.now() - started;
const t0 = ticks(child.pid);
const rssStart = rssMb(child.pid);
await new Promise((r) => setTimeout(r, IDLE_S * 1000));
const cpuPct = ((ticks(child.pid) - t0) / 100 / IDLE_S) * 100;
const rssEnd = rssMb(child.pid);
child.kill("SIGTERM");
await new Promise((r) => child.once("close", r));

// 2. Latency: every thread on `wake: 1m`, so all 1,000 fall due within one jitter window (≤10% of a minute), the round a no-op.
const roots = [];
await threads(join(base, "busy"), "1m");
for (let i = 0; i < THREADS; i++) roots.push(join(base, "busy", `t${String(i).padStart(4, "0")}`));
const asked = new Map();
const noop = async ({ root, onEvent }) => {
  asked.set(root, Date.now());
  onEvent({ type: "round-start", round: 1 });
  return { run: "bench", state: "active", reason: "no-op round", rounds: [1] };
};
const scheduler = await startScheduler({ roots, runRound: noop });
const due = scheduler.next();
const deadline = Date.now() + 180_000;
while (asked.size < roots.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
await scheduler.stop();
const latencies = [...asked].map(([root, at]) => at - due.get(root)).sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const spread = Math.max(...due.values()) - Math.min(...due.values());
await rm(base, { recursive: true, force: true });

await writeSection(
  "wake",
  [
    "## wake: 1,000 threads in one `worksite wake`",
    "",
    provenance(`node bench/wake/run.mjs ${THREADS} ${IDLE_S}`),
    "",
    "| measure | value |",
    "|---|---|",
    `| threads | ${THREADS} |`,
    `| daemon start to first line (loads and plans every thread) | ${startupMs.toFixed(0)} ms |`,
    `| idle CPU over ${IDLE_S} s (nothing due) | ${cpuPct.toFixed(2)} % of one core |`,
    `| memory (RSS) at start / after ${IDLE_S} s idle | ${rssStart.toFixed(0)} MB / ${rssEnd.toFixed(0)} MB |`,
    `| wakes asked for (no-op round; due within ${spread} ms of each other by jitter) | ${latencies.length} of ${THREADS} |`,
    `| wake latency, planned time → round asked for, p50 | ${pct(50)} ms |`,
    `| wake latency p99 | ${pct(99)} ms |`,
    `| wake latency max | ${latencies.at(-1)} ms |`,
    "",
    "One timer serves every thread (the scheduler sleeps until the earliest due wake, at most 60 s, so a wall-clock jump after a laptop sleeps is noticed). Latency includes each wake's own bookkeeping (load the worksite files, state, the lock check, an audit entry and the inbox record); the round itself is the run loop's cost.",
  ].join("\n"),
);
