// Gate overhead per call: the one path (decide + audit append + run) against
// calling the tool directly, and against a pre-tool hook run as a separate
// process per call (how other agent tools let a user veto a call).
// Run after building:  pnpm exec tsc -b && node bench/gate/overhead.mjs [N]   (or `pnpm bench`)
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createArtifactStore,
  createGate,
  createPolicy,
  corePlugins,
  fileRead,
  loadWorksite,
  openAuditLog,
  silentLogger,
  wrapUntrusted,
} from "../../packages/core/dist/index.js";
import { provenance, writeSection } from "../results-writer.mjs";

const N = Number(process.argv[2] ?? 500);
const WARMUP = 20;

const root = await mkdtemp(join(tmpdir(), "worksite-bench-gate-"));
await mkdir(join(root, "src"));
await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# bench\n");
await writeFile(join(root, "GOAL.md"), "## Goal\nmeasure\n");
await writeFile(
  join(root, "PERMISSIONS.md"),
  "# Permissions\n\n## Allow\n- `file.read(src/**)`\n- `file.list`\n\n## Forbidden\n- `shell.run(rm -rf)`\n",
);
await writeFile(join(root, "src", "a.txt"), "const answer = 42;\n".repeat(20));

const worksite = await loadWorksite(root);
const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
const gate = createGate({ root, worksite, plugins: corePlugins(), audit, actor: "agent", run: "bench", round: 1 });
const policy = createPolicy(worksite.permissions, { root, stage: "write" });
const input = { path: "src/a.txt" };
const ctx = {
  worksite: root,
  run: "bench",
  round: 1,
  actor: "agent",
  artifacts: createArtifactStore({ root, run: "bench", round: 1, redact: (t) => t }),
  signal: new AbortController().signal,
  log: silentLogger,
  untrusted: wrapUntrusted,
  redact: (t) => t,
  check: async () => ({ tier: "allow", reason: "bench" }),
};

const hookScript =
  "let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>{JSON.parse(s);process.exit(0)})";
function hook(call) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", hookScript], { stdio: ["pipe", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`hook exited ${code}`))));
    child.stdin.end(JSON.stringify(call));
  });
}

async function measure(name, fn, n = N) {
  for (let i = 0; i < Math.min(WARMUP, n); i++) await fn(i);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / n;
  return { name, n, mean, median: times[Math.floor(n / 2)], p95: times[Math.floor(n * 0.95)] };
}

const direct = await measure("tool.run directly", async () => {
  await fileRead.run(input, ctx);
});
const viaGate = await measure("gate.call (decide + audit ×2 + run)", async () => {
  const outcome = await gate.call({ tool: "file.read", input });
  if (outcome.status !== "ok") throw new Error(`gate said ${outcome.status}: ${outcome.message}`);
});
const decideOnly = await measure("policy.decide alone", async () => {
  policy.decide({ tool: "file.read", target: "src/a.txt", effect: "read", targetKind: "path" });
});
const appendOnly = await measure("audit.append alone", async () => {
  await audit.append({ type: "note", actor: "bench", message: "x" });
});
const viaHook = await measure("hook process + tool.run", async () => {
  await hook({ tool: "file.read", input });
  await fileRead.run(input, ctx);
});

const verified = await audit.verify();
await gate.dispose();
await rm(root, { recursive: true, force: true });

const gateOverhead = viaGate.mean - direct.mean;
const hookOverhead = viaHook.mean - direct.mean;
const ms = (x) => `${x.toFixed(3)} ms`;
const rows = [direct, viaGate, viaHook, decideOnly, appendOnly].map(
  (r) => `| ${r.name} | ${r.n} | ${ms(r.mean)} | ${ms(r.median)} | ${ms(r.p95)} |`,
);
const section = [
  "## Gate overhead",
  "",
  provenance(`node bench/gate/overhead.mjs ${N}`, [`N=${N} calls each (after ${WARMUP} warm-up calls), one run`]),
  "",
  "The call is `file.read` of a 380-byte file, allowed by a `file.read(src/**)` rule. `gate.call` parses the input,",
  "computes the target and call hash, asks the policy, appends a decision and a result entry to the hash-chained",
  "audit log (redacted, locked, atomic append), and runs the tool. The hook column spawns `node -e` per call, writes",
  "the call JSON to its stdin and waits for exit 0 before running the tool: how agent tools run a user's pre-tool hook.",
  "",
  "| path | calls | mean | median | p95 |",
  "|---|---:|---:|---:|---:|",
  ...rows,
  "",
  `- gate overhead per call (gate − direct): **${ms(gateOverhead)}**; gate.call / direct = **${(viaGate.mean / direct.mean).toFixed(1)}×**`,
  `- hook overhead per call (hook − direct): **${ms(hookOverhead)}**; hook / direct = **${(viaHook.mean / direct.mean).toFixed(1)}×**`,
  `- hook overhead / gate overhead = **${(hookOverhead / gateOverhead).toFixed(1)}×**: the in-process gate, audit log included, costs that much less than one hook process per call`,
  `- audit log after the run: ${verified.ok ? `verifies, ${verified.entries} entries` : `DOES NOT VERIFY at line ${verified.line}: ${verified.problem}`}`,
].join("\n");

await writeSection("gate", section);
