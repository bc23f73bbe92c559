// How many calls a fresh process takes to compile the gate's call path (bench/gate/PROFILE.md, "What this host
// allows"): the p50 of each BATCH read calls in a row, from the first. Prints one line; writes nothing to RESULTS.md.
// overhead.mjs warms up for as long as this shows the figures still falling.
// Run after building:  node bench/gate/warm-up.mjs [BATCHES]
import "../own-state.mjs";
import { rm } from "node:fs/promises";
import { benchPlugin } from "./bench-plugin.mjs";
import { benchWorksite } from "./bench-worksite.mjs";

const BATCHES = Number(process.argv[2] ?? 20);
const BATCH = 500;
const core = await import("../../packages/core/dist/index.js");
const { root, audit, gate } = await benchWorksite(core, { rules: 10, plugin: benchPlugin() });
const call = { tool: "bench.look", input: { path: "src/a.txt" } };
const medians = [];
for (let b = 0; b < BATCHES; b++) {
  const times = [];
  for (let i = 0; i < BATCH; i++) {
    const start = performance.now();
    const outcome = await gate.call(call);
    times.push(performance.now() - start);
    if (outcome.status !== "ok") throw new Error(`gate said ${outcome.status}: ${outcome.message}`);
  }
  times.sort((x, y) => x - y);
  medians.push(Math.round(times[BATCH / 2] * 1000));
}
await audit.close();
await gate.dispose();
await rm(root, { recursive: true, force: true });
console.log(`read call p50 of each ${BATCH} in a row, µs (Node ${process.versions.node}): ${medians.join(" ")}`);
