// Start-up of the `worksite` command as whole processes, side by side with `node -e 0` (issue 13 item 3):
// each command run in turn, N rounds, rotating which goes first, so drift on a shared machine hits all alike.
// Run after building:  node bench/startup/run.mjs [N]   (or `pnpm --dir bench startup`)
import "../own-state.mjs";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { provenance, writeSection } from "../results-writer.mjs";

const N = Number(process.argv[2] ?? 20);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "..", "..", "packages", "cli", "dist", "bin.js");
const site = await mkdtemp(join(tmpdir(), "worksite-bench-startup-"));
// The worksite `worksite init` writes: THREAD.md names the browser plugin, as the template does.
const init = spawnSync(process.execPath, [bin, "init", site], { encoding: "utf8" });
if (init.status !== 0) throw new Error(`worksite init failed: ${init.stderr}`);

const commands = {
  "node -e 0": ["-e", "0"],
  "worksite --help": [bin, "--help"],
  "worksite status": [bin, "status"],
  "worksite permissions explain browser.open https://example.com/": [
    bin,
    "permissions",
    "explain",
    "browser.open",
    "https://example.com/",
  ],
  // Run often too, but not held to the 2.5× goal: they open a session (plugins, skills, the sandbox check).
  "worksite check": [bin, "check"],
  "worksite call --list": [bin, "call", "--list"],
};
// Node 22.1+ caches compiled code (bin.js enables it); the same command without the cache shows what it saves.
const compileCache = typeof (await import("node:module")).enableCompileCache === "function";
if (compileCache) commands["worksite status, compile cache off"] = [bin, "status"];
const envOf = (name) =>
  name.endsWith("compile cache off") ? { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" } : process.env;
const names = Object.keys(commands);
const times = Object.fromEntries(names.map((n) => [n, []]));
/** CPU of every child this process has waited for (user + sys, ms), from /proc: steadier than wall time on a busy machine. */
const childCpu = () => {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17 of the whole line, in clock ticks (100 a second on Linux).
  return (Number(fields[13]) + Number(fields[14])) * 10;
};
const cpu = Object.fromEntries(names.map((n) => [n, 0]));
const once = (name) => {
  const start = performance.now();
  const before = childCpu();
  const r = spawnSync(process.execPath, commands[name], { cwd: site, encoding: "utf8", env: envOf(name) });
  const ms = performance.now() - start;
  cpu[name] += childCpu() - before;
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  return ms;
};
for (const name of names) once(name); // warm the file cache
for (const name of names) cpu[name] = 0;
for (let i = 0; i < N; i++)
  for (const name of [...names.slice(i % names.length), ...names.slice(0, i % names.length)])
    times[name].push(once(name));
await rm(site, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(times["node -e 0"]);
const baseCpu = cpu["node -e 0"] / N;
const rows = names.map((n) => {
  const m = median(times[n]);
  const s = [...times[n]].sort((a, b) => a - b);
  const c = cpu[n] / N;
  return `| ${n} | ${m.toFixed(1)} ms | ${s[0].toFixed(1)} ms | ${s.at(-1).toFixed(1)} ms | **${(m / base).toFixed(2)}×** | ${c.toFixed(0)} ms | **${(c / baseCpu).toFixed(2)}×** |`;
});
// Node 20 (the machine's) writes the section the goal is read from; another Node writes its own beside it.
const major = Number(process.versions.node.split(".")[0]);
await writeSection(
  major === 20 ? "startup" : `startup-node${major}`,
  [
    major === 20 ? "## Start-up" : `## Start-up on Node ${major}`,
    "",
    provenance(`node bench/startup/run.mjs ${N}`, [`N=${N} runs of each command, interleaved`]),
    "",
    "Wall time of a whole process (spawn to exit) in a worksite made by `worksite init` (THREAD.md names the browser plugin).",
    "The ratio is each median over `node -e 0`'s median from the same run; the issue's target is ≤2.5×. CPU is the mean",
    "user + sys time per run of the child processes (from /proc/self/stat, 10 ms ticks summed over all runs), which a",
    "busy machine disturbs less than wall time. `status` and `permissions explain` run from the CLI's bundled fast entry",
    "(packages/cli/scripts/bundle-fast.mjs); `check` and `call --list` open a session from the plain modules.",
    "",
    "| command | wall median | min | max | wall / node -e 0 | CPU mean | CPU / node -e 0 |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n"),
);
