// shell.run of a short command through the gate: sandboxed (bubblewrap via
// @anthropic-ai/sandbox-runtime, proxies started once per process) against the
// same call with `sandbox: off` (a PID namespace only) and bare (no bubblewrap
// on PATH: the process group of before). Paired and interleaved, so load on the
// shared machine hits every path alike.
// Run after building core:  npx tsc -b packages/core && node bench/sandbox/overhead.mjs [N]
import "../own-state.mjs";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { provenance, writeSection } from "../results-writer.mjs";
import {
  corePlugins,
  createGate,
  loadWorksite,
  openAuditLog,
  sandboxPolicy,
  stopSandboxRuntime,
} from "../../packages/core/dist/index.js";

const N = Number(process.argv[2] ?? 30);
const WARMUP = 3;
const COMMAND = "echo hello";

const root = await mkdtemp(join(tmpdir(), "worksite-bench-sandbox-"));
await mkdir(join(root, "src"));
await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# bench\n");
await writeFile(join(root, "GOAL.md"), "## Goal\nmeasure\n");
await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n\n## Allow\n- `shell.run echo`\n");
const worksite = await loadWorksite(root);
const policy = sandboxPolicy({ root, permissions: worksite.permissions, thread: worksite.thread });
const gateWith = (sandbox) =>
  createGate({
    root,
    worksite,
    plugins: corePlugins(),
    audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "bench",
    round: 1,
    sandbox,
  });
const gates = {
  sandboxed: gateWith(policy),
  off: gateWith({ ...policy, off: true }),
  bare: gateWith({ ...policy, off: true }),
};
// "bare" runs with a PATH that has echo but no bubblewrap: the command in a process group, as before the sandbox.
const bin = await mkdtemp(join(tmpdir(), "worksite-bench-bin-"));
await symlink("/bin/echo", join(bin, "echo"));
const fullPath = process.env.PATH;

async function once(path) {
  if (path === "bare") process.env.PATH = bin;
  try {
    const started = performance.now();
    const outcome = await gates[path].call({ tool: "shell.run", input: { command: COMMAND } });
    const ms = performance.now() - started;
    if (outcome.status !== "ok" || !outcome.result.content.includes("hello"))
      throw new Error(`${path}: ${outcome.status} ${outcome.message ?? ""}`);
    const containment = outcome.result.data.containment;
    const expected = { sandboxed: "sandbox", off: "pid-namespace", bare: "none" }[path];
    if (containment !== expected) throw new Error(`${path} ran with containment ${containment}, expected ${expected}`);
    return ms;
  } finally {
    process.env.PATH = fullPath;
  }
}

const paths = ["sandboxed", "off", "bare"];
// Nothing else holds the event loop between calls (the sandbox's bridge is unref'd): keep it alive while measuring.
const keepAlive = setInterval(() => {}, 60_000);
const firstStart = performance.now();
await once("sandboxed");
const firstMs = performance.now() - firstStart;
for (let i = 0; i < WARMUP; i++) for (const p of paths) await once(p);
const times = { sandboxed: [], off: [], bare: [] };
for (let i = 0; i < N; i++) {
  // Rotate the order in each round so no path always goes first.
  const order = paths.map((_, k) => paths[(i + k) % paths.length]);
  for (const p of order) times[p].push(await once(p));
}
await stopSandboxRuntime();
clearInterval(keepAlive);

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p95 = (xs) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const f = (ms) => `${ms.toFixed(1)} ms`;
const pairRatio = (a, b) => median(times[a].map((t, i) => t / times[b][i]));

const label = {
  sandboxed: "sandboxed (bubblewrap, file rules, network proxy, PID namespace)",
  off: "`sandbox: off` (PID namespace only)",
  bare: "bare (no bubblewrap: process group)",
};
const body = [
  "## Sandbox under commands",
  "",
  provenance(`node bench/sandbox/overhead.mjs ${N}`, [
    `N=${N} rounds of each path, interleaved, after ${WARMUP} warm-up rounds; ratios are medians of per-round pairs`,
  ]),
  "",
  `The call is \`gate.call\` of \`shell.run\` \`${COMMAND}\` (allowed by a rule), through the gate on every path. *sandboxed* wraps it`,
  "with @anthropic-ai/sandbox-runtime (bubblewrap: read-only control paths, unreadable person and credential folders, a",
  "network namespace bridged to the once-per-process connection filter, the seccomp helper, a PID namespace, and the",
  "wait while anything the command started holds its output); it also looks for `.git` folders in the work tree first.",
  "",
  "| path | n | mean | median | p95 |",
  "|---|---:|---:|---:|---:|",
  ...paths.map((p) => `| ${label[p]} | ${N} | ${f(mean(times[p]))} | ${f(median(times[p]))} | ${f(p95(times[p]))} |`),
  "",
  `- sandboxed / bare = **${pairRatio("sandboxed", "bare").toFixed(1)}×** (median of pairs); sandboxed − bare = **${f(median(times.sandboxed) - median(times.bare))}** per command (medians)`,
  `- sandboxed / \`sandbox: off\` = **${pairRatio("sandboxed", "off").toFixed(1)}×**; \`sandbox: off\` / bare = **${pairRatio("off", "bare").toFixed(1)}×**`,
  `- the first sandboxed command of the process (starts the proxies once) took ${f(firstMs)}`,
].join("\n");

await writeSection("sandbox", body);
