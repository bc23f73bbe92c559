// Where a write call's microseconds go, call by call (bench/gate/PROFILE.md, "A write call's wait for its sync"):
// timestamps from `gate.call`'s start to the decision line's write, the sync's start and end, the tool's run, the
// result line and the call's return, p50 over 1,000 calls after 500. Prints one line; writes nothing to RESULTS.md.
// Run after building:  node bench/gate/trace-write.mjs [MODE]
// MODE: `thread` (as shipped: the audit's own sync thread, sync-thread.ts, whose syncs these wrappers cannot see, so
// the sync's start and end are not timed), or the thread off and the decision's fdatasync replaced, to see what the
// wait itself costs: `pool` (the real one in the thread pool, as before the thread), `main` (fdatasyncSync on this
// thread), `none` (answered at once), `sleep` / `spin` (no disk: 250 µs asleep or busy).
import "../own-state.mjs";
import fs from "node:fs";
import { rm } from "node:fs/promises";
import { benchPlugin } from "./bench-plugin.mjs";
import { benchWorksite } from "./bench-worksite.mjs";

const MODE = process.argv[2] ?? "thread";
const core = await import("../../packages/core/dist/index.js");
const syncThread = await import("../../packages/core/dist/audit/sync-thread.js");
syncThread.useSyncThread(MODE === "thread");

let t = {};
const now = () => performance.now();
const plugin = benchPlugin(() => {
  t.run = now();
});
const { root, audit, gate } = await benchWorksite(core, { rules: 2, plugin });

// The audit writer calls these through the `node:fs` object, so wrapping them here sees its calls.
const { writeSync, fdatasync } = fs;
fs.writeSync = function (fd, data, ...rest) {
  // Lines are a few hundred bytes; the heads' records are shorter.
  if (typeof data !== "string" && data.length > 200) {
    if (t.line === undefined) t.line = now();
    else t.result ??= now();
  }
  return writeSync.call(this, fd, data, ...rest);
};
fs.fdatasync = function (fd, done) {
  t.syncStart ??= now();
  const ended = (error) => {
    t.syncEnd ??= now();
    done(error);
  };
  if (MODE === "pool" || MODE === "thread") return fdatasync.call(this, fd, ended);
  if (MODE === "main") {
    let error = null;
    try {
      fs.fdatasyncSync(fd);
    } catch (e) {
      error = e;
    }
    return process.nextTick(ended, error);
  }
  if (MODE === "sleep") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.25);
  else if (MODE === "spin") for (const until = now() + 0.25; now() < until; );
  else if (MODE !== "none") throw new Error(`unknown mode ${MODE}: thread, pool, main, none, sleep or spin`);
  return process.nextTick(ended, null);
};

const rows = [];
for (let i = 0; i < 1500; i++) {
  t = {};
  const start = now();
  const outcome = await gate.call({ tool: "bench.touch", input: { path: `out/f${i % 50}.txt` } });
  const end = now();
  if (outcome.status !== "ok") throw new Error(`gate said ${outcome.status}: ${outcome.message}`);
  if (i >= 500) rows.push({ ...t, end, start });
}
fs.writeSync = writeSync;
fs.fdatasync = fdatasync;
await audit.close();
await rm(root, { recursive: true, force: true });
const p50 = (key) => {
  const xs = rows.map((r) => r[key] - r.start).sort((a, b) => a - b);
  return Math.round(xs[xs.length >> 1] * 1000);
};
const keys = ["line", "syncStart", "syncEnd", "run", "result", "end"];
const timed = keys.filter((k) => rows.every((r) => r[k] !== undefined));
const thread = MODE === "thread" ? ` (${syncThread.syncThreadState().synced} syncs on the audit's thread)` : "";
console.log(`${MODE}: µs from the call's start, p50 — ${timed.map((k) => `${k} ${p50(k)}`).join(" · ")}${thread}`);
