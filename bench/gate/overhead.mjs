// Gate overhead per call: the one path (decide + audit + run) against calling the tool directly, for a
// `read` call and a fsynced `write` call, with 10 / 100 / 2,000 rules in PERMISSIONS.md, and against a
// pre-tool hook run as a separate process per call (how other agent tools let a user veto a call).
// Run after building:  pnpm exec tsc -b && node bench/gate/overhead.mjs [N]   (or `pnpm bench`)
// BENCH_BASE=<a built checkout of the code before a change> measures that checkout too, in the same run,
// so "before" and "after" share one machine state.
import "../own-state.mjs";
import { spawn } from "node:child_process";
import { closeSync, fdatasync, fdatasyncSync, fstatSync, lstatSync, openSync, statSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { provenance, writeSection } from "../results-writer.mjs";
import { benchPlugin as makeBenchPlugin } from "./bench-plugin.mjs";
import { benchWorksite } from "./bench-worksite.mjs";

const N = Number(process.argv[2] ?? 1000);
// Enough calls for V8 to have compiled the call path before the clock starts: with 50, the first row measured
// mostly the tiering-up (10 rules read 74 µs against 41 µs at 100 rules in the same run). 500 was still not
// enough on Node 20 on an AMD EPYC host: a fresh process's read calls, p50 of each 500 in a row, went
// 226, 172, 150, 121, 112, 106, 105, 104… µs, steady from about the 2,500th call (the first row read 180 µs, the
// second 145). What the first calls cost is written down too, as the *cold* figure.
const WARMUP = 3000;
/** The calls of a fresh gate whose median is the cold figure. */
const COLD = 500;
/** Calls of one code in a row before the other's; see overhead(). */
const BLOCK = 50;
const RULES = [10, 100, 2000];
const base = process.env.BENCH_BASE;
const benchPlugin = makeBenchPlugin();

const here = await import("../../packages/core/dist/index.js");
const before = base ? await import(join(base, "packages/core/dist/index.js")) : undefined;

const worksite = (core, rules) => benchWorksite(core, { rules, plugin: benchPlugin });

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

async function times(fn, n = N) {
  for (let i = 0; i < Math.min(WARMUP, n / 2); i++) await fn(i);
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}
const p = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs) =>
  p(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/**
 * Median and p95 of (gate − direct) for each code under test. With a BENCH_BASE, both codes get a worksite of
 * their own and their calls alternate in blocks of BLOCK (which goes first swapping each time), so a shared
 * machine's drift hits both alike and the now / before ratio compares like with like. Blocks rather than single
 * calls: alternating call by call, one code's garbage was collected during the other's calls (at 2,000 rules
 * *now* measured 130 µs beside *before*, 40 µs alone). At 10 rules this host's floor (floorCalls) takes its
 * turns in the same blocks: this disk's sync moved from ~200 to ~400 µs within minutes.
 */
async function overhead(codes, count, kind) {
  const read = { tool: "bench.look", input: { path: "src/a.txt" } };
  const write = (i) => ({ tool: "bench.touch", input: { path: `out/f${i % 50}.txt` } });
  const ws = [];
  for (const [label, core] of codes) {
    const w = await worksite(core, count);
    const call = async (i) => {
      const outcome = await w.gate.call(kind === "read" ? read : write(i));
      if (outcome.status !== "ok") throw new Error(`gate said ${outcome.status}: ${outcome.message}`);
    };
    ws.push({ label, w, call, gated: [], cold: [] });
  }
  const direct = await times(async (i) => benchPlugin.tools[kind === "read" ? "look" : "touch"].run(write(i).input));
  for (let i = 0; i < WARMUP; i++)
    for (const x of ws) {
      const t = performance.now();
      await x.call(i);
      if (i < COLD) x.cold.push(performance.now() - t);
    }
  const floor = count === 10 ? floorCalls(ws[0].w.root, kind) : { turns: [], close() {} };
  const turns = [...ws, ...floor.turns];
  for (let start = 0; start < N; start += BLOCK)
    for (const x of (start / BLOCK) % 2 ? [...turns].reverse() : turns)
      for (let i = start; i < Math.min(N, start + BLOCK); i++) {
        const t = performance.now();
        await x.call(i);
        x.gated.push(performance.now() - t);
      }
  floor.close();
  const floors = floor.turns.map((f) => median(f.gated));
  const lowestFloor = floors.length ? Math.min(...floors) : undefined;
  const out = [];
  for (const { label, w, gated, cold } of ws) {
    gated.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);
    await w.audit.close?.();
    const verified = await w.audit.verify();
    if (!verified.ok) throw new Error(`audit log does not verify: ${verified.problem}`);
    await w.gate.dispose();
    await rm(w.root, { recursive: true, force: true });
    out.push({
      label,
      direct: p(direct, 0.5),
      gate: p(gated, 0.5),
      overhead: p(gated, 0.5) - p(direct, 0.5),
      p95: p(gated, 0.95) - p(direct, 0.95),
      cold: p(cold, 0.5) - p(direct, 0.5),
      floor: lowestFloor,
      entries: verified.entries,
    });
  }
  return out;
}

/**
 * What no code of the gate can go under on this host, as calls that take turns with the gate's. For a read call,
 * the system calls its guarantees make, alone, as strace shows them for this bench's read call: the line's
 * `write` and the log's `fstat`; an `lstat` per segment of the target (the kernel's view of it: 2 here) and of the
 * person's config folder while it is not made; a `stat` each of the log, its head and the state anchor (the tamper
 * check). For a write call, a `write` + `fdatasync` of one line, on the calling thread and in the pool (the faster
 * one is the floor). `root`: a worksite whose log, heads and anchor exist.
 */
function floorCalls(root, kind) {
  const log = join(root, ".worksite", "audit.jsonl");
  // The gate's own answers for where this worksite's anchor and the person's config folder are.
  const stateDir = here.worksiteStateDir(root, { create: false });
  if (!stateDir) throw new Error(`no state folder for ${root}`);
  const anchor = join(stateDir, "audit.jsonl.head");
  const config = here.personConfigDir();
  const line = Buffer.alloc(700, "x");
  const scratch = openSync(join(root, ".worksite", "floor.jsonl"), "a");
  const turn = (call) => ({ call, gated: [] });
  const turns =
    kind === "read"
      ? [
          turn(() => {
            writeSync(scratch, line);
            fstatSync(scratch);
            lstatSync(join(root, "src"));
            lstatSync(join(root, "src", "a.txt"));
            lstatSync(config, { throwIfNoEntry: false });
            statSync(log);
            statSync(`${log}.head`);
            statSync(anchor);
          }),
        ]
      : [
          turn(() => {
            writeSync(scratch, line);
            fdatasyncSync(scratch);
          }),
          turn(async () => {
            writeSync(scratch, line);
            await new Promise((resolve, reject) => fdatasync(scratch, (error) => (error ? reject(error) : resolve())));
          }),
        ];
  return { turns, close: () => closeSync(scratch) };
}

const rows = [];
const codes = [["now", here], ...(before ? [["before", before]] : [])];
for (const count of RULES)
  for (const kind of ["read", "write"])
    for (const r of await overhead(codes, count, kind)) {
      rows.push({ count, kind, ...r });
      console.error(r.label, count, kind, `${(r.overhead * 1000).toFixed(0)} µs`);
    }

const hookRun = await (async () => {
  const w = await worksite(here, 10);
  const input = { path: "src/a.txt" };
  const direct = await times(() => benchPlugin.tools.look.run(input), 200);
  const viaHook = await times(async () => {
    await hook({ tool: "bench.look", input });
    await benchPlugin.tools.look.run(input);
  }, 100);
  await w.gate.dispose();
  await rm(w.root, { recursive: true, force: true });
  return p(viaHook, 0.5) - p(direct, 0.5);
})();

const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
const find = (label, count, kind) => rows.find((r) => r.label === label && r.count === count && r.kind === kind);
const read10 = find("now", 10, "read");
const write10 = find("now", 10, "write");
// Node 20 (the machine's) writes the section the goal is read from; another Node writes its own beside it.
// Its hook row is that Node's own start-up: Node 24 starts `node -e` in about a third of Node 20's time here.
const major = Number(process.versions.node.split(".")[0]);
const section = [
  major === 20 ? "## Gate overhead" : `## Gate overhead on Node ${major}`,
  "",
  provenance(`node bench/gate/overhead.mjs ${N}`, [
    `N=${N} calls per row (after ${WARMUP} warm-up calls), one run`,
    ...(base
      ? [
          `*before* rows: BENCH_BASE, a built checkout of the code before this change; its calls alternate with *now*'s in blocks of ${BLOCK}`,
        ]
      : []),
  ]),
  "",
  "A *read* call is `bench.look src/a.txt`, a *write* call `bench.touch out/fN.txt`: path targets, decided as file.read /",
  "file.write are, by tools that only return, so the gate's own cost is what is measured. A write call's decision is",
  "fdatasynced before its tool runs; a read call is one entry, group-committed. PERMISSIONS.md holds the given number",
  "of rules, the two that match last.",
  "Overhead = median of `gate.call` − median of the tool's own `run` (input parsing, target, call hash, policy,",
  "audit entries: redacted, chained, written, synced as the call's effect needs). The hook row spawns `node -e` per",
  "call, writes the call JSON to its stdin and waits for exit 0 before running the tool. The floor rows take turns with",
  "the 10-rule calls, in the same blocks: what no code of the gate can go under on this host (a read call's 8 system calls:",
  "the line's `write`, an `fstat`, 3 `lstat`s of the target's segments and the person's folder, 3 `stat`s of the log and",
  "its heads; a `write` + `fdatasync` of one line, the faster of the calling thread and the pool).",
  "",
  "| code | rules | call | tool alone (median) | gate.call (median) | overhead p50 | overhead p95 |",
  "|---|---:|---|---:|---:|---:|---:|",
  ...[...rows]
    .sort((a, b) => (a.label === b.label ? 0 : a.label === "now" ? -1 : 1))
    .map(
      (r) =>
        `| ${r.label} | ${r.count.toLocaleString("en")} | ${r.kind} | ${us(r.direct)} | ${us(r.gate)} | ${us(r.overhead)} | ${us(r.p95)} |`,
    ),
  `| hook process | – | read | | | ${us(hookRun)} | |`,
  `| floor: the read call's system calls alone | 10 | read | | | ${us(read10.floor)} | |`,
  `| floor: \`write\` + \`fdatasync\` of one line | 10 | write | | | ${us(write10.floor)} | |`,
  "",
  `- gate overhead per read call (10 rules): **${us(read10.overhead)}** p50 (must be ≤ 50 µs); per fsynced write call: **${us(write10.overhead)}** p50 (must be ≤ 300 µs)`,
  `- a fresh gate's first ${COLD} read calls: **${us(read10.cold)}** p50 (V8 still compiling the call path; the rows above are after ${WARMUP.toLocaleString("en")} calls)`,
  `- this host's floor, timed in the same blocks as the 10-rule calls: a read call's system calls **${us(read10.floor)}**, a bare \`write\` + \`fdatasync\` **${us(write10.floor)}**${write10.floor > 0.3 ? " (over 300 µs: no write call can meet its target on this disk)" : ""}; so the gate's own work is **${us(read10.overhead - read10.floor)}** a read call, **${us(write10.overhead - write10.floor)}** a write call`,
  `- hook process / gate overhead (read call) = **${(hookRun / read10.overhead).toFixed(0)}×** (must be ≥ 1000×)`,
  ...(before
    ? [
        `- before this change, same run: read **${us(find("before", 10, "read").overhead)}**, write **${us(find("before", 10, "write").overhead)}** (10 rules); now / before = **${(read10.overhead / find("before", 10, "read").overhead).toFixed(3)}×** read, **${(write10.overhead / find("before", 10, "write").overhead).toFixed(3)}×** write`,
      ]
    : []),
  `- every log verified after its run (${rows.map((r) => r.entries).join(", ")} entries)`,
].join("\n");

await writeSection(major === 20 ? "gate" : `gate-node${major}`, section);
