// One measurement in a fresh process, so peak RSS belongs to that work alone.
// Usage: node measure.mjs <read|load-audit|run-start|status|commit|git-status|git-commit> <dir>
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const [mode, dir] = process.argv.slice(2);
// BENCH_BASE: a built checkout of the code before a change, measured by the same script in the same run.
const distOf = (file) =>
  process.env.BENCH_BASE
    ? `${process.env.BENCH_BASE}/packages/memory/dist/${file}`
    : new URL(`../../packages/memory/dist/${file}`, import.meta.url).href;
// Imported before the clock starts: the comparison is inside one running process (issue 13), not node's start-up.
const loaded = mode === "read" || mode.startsWith("git-") ? undefined : await import(distOf("index.js"));
const indexPath = mode === "status-index" ? await import(distOf("working-status.js")) : undefined;
const memory = async () => loaded;
const git = (...args) =>
  execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const person = { name: "Bench", email: "bench@example.test" };

const start = performance.now();
const cpuStart = process.cpuUsage();
let detail = {};
if (mode === "read") {
  // The floor: find and read every entry, nothing else.
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".md") && !f.startsWith(".git"));
  let bytes = 0;
  for (let i = 0; i < files.length; i += 64)
    for (const t of await Promise.all(files.slice(i, i + 64).map((f) => readFile(join(dir, f), "utf8"))))
      bytes += t.length;
  detail = { files: files.length, bytes };
} else if (mode === "load-audit") {
  const { openMemory, auditMemory } = await memory();
  const store = await openMemory({ dir, author: person });
  const report = await auditMemory(store, { staleDays: 100000 });
  detail = { entries: report.entries, findings: report.findings.length };
} else if (mode === "run-start") {
  // What a run does at its start with an unchanged memory (no remote): audit, the visible entries, each one's origin.
  const { openMemory, memoryAtRunStart, entryOrigins } = await memory();
  const store = await openMemory({ dir, author: person });
  const start = await memoryAtRunStart(store, { run: "bench" });
  // The code before issue 13 had no origins in the run start: the runtime asked for them after it.
  const origins = start.origins ?? (await entryOrigins(store, start.entries));
  detail = { entries: start.entries.length, origins: origins.size };
} else if (mode === "status") {
  const { openMemory, handEdits } = await memory();
  const store = await openMemory({ dir, author: person });
  detail = { changed: (await handEdits(store)).length };
} else if (mode === "status-index") {
  // The path taken without a git CLI: HEAD's tree against the index's stat cache.
  const { openMemory } = await memory();
  const { changesByIndex } = indexPath;
  const store = await openMemory({ dir, author: person });
  detail = { changed: (await changesByIndex(store)).length };
} else if (mode === "commit") {
  const { openMemory, commitHandEdits } = await memory();
  const store = await openMemory({ dir, author: person });
  detail = { files: (await commitHandEdits(store, "bench edit", person)).files.length };
} else if (mode === "git-status") {
  detail = { changed: git("status", "--porcelain").split("\n").filter(Boolean).length };
} else if (mode === "git-commit") {
  git("add", "-A");
  git("-c", "user.name=Bench", "-c", "user.email=bench@example.test", "commit", "--quiet", "-m", "bench edit");
  detail = { files: 10 };
} else throw new Error(`unknown mode ${mode}`);
const ms = performance.now() - start;
// CPU time of this process in the window (not of the git processes it ran): the part a loaded machine does not inflate.
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, ms, cpuMs, maxRssMB: process.resourceUsage().maxRSS / 1024, ...detail })}\n`,
);
