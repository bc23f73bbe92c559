// bench/memory: load + audit, status and commit at 1k / 10k / 100k entries, against the git CLI on the same tree.
// Build first: pnpm exec tsc -b (from the repo root). Then: node bench/memory/run.mjs [largest]   (or `pnpm bench`)
// BENCH_BASE=<a built checkout of the code before a change> adds its rows, measured in the same run.
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { provenance, writeSection } from "../results-writer.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const largest = Number(process.argv[2] ?? 100_000);
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= largest);
const base = process.env.BENCH_BASE;
const TOPICS = 100;

const git = (dir, ...args) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
// A state folder of the bench's own: the parse cache's key lives there, never in the person's.
const stateDir = join(tmpdir(), `bench-memory-state-${process.pid}`);
const measure = (mode, dir, before = false) =>
  JSON.parse(
    execFileSync(process.execPath, [join(here, "measure.mjs"), mode, dir], {
      encoding: "utf8",
      env: { ...process.env, BENCH_BASE: before ? base : "", WORKSITE_STATE_DIR: stateDir },
    }),
  );
// The parse cache (packages/memory/src/parse-cache.ts) lives in the repository's git folder.
const dropParseCache = (dir) => rm(join(dir, ".git", "worksite"), { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function entry(topic, i) {
  return `---
name: entry-${i}
description: fact number ${i} about topic ${topic}
type: fact
tags: [bench, topic-${topic}]
scope: global
source: person:bench
created: 2026-01-01
updated: 2026-06-01
status: active
---

Entry ${i} records something stable about topic ${topic}: a tool version, a
preference or a decision, in a paragraph or two of ordinary prose so the file is
the size of a real entry. ${"Lorem ipsum dolor sit amet. ".repeat(8)}
`;
}

const commitAll = (dir, message) => {
  git(dir, "add", "-A");
  git(dir, "-c", "user.name=Bench", "-c", "user.email=bench@example.test", "commit", "--quiet", "-m", message);
};

const root = await mkdtemp(join(tmpdir(), "bench-memory-"));
const results = []; // { n, what, ms, maxRssMB }
for (const N of SIZES) {
  const RUNS = N >= 100_000 ? 1 : 5;
  const baseDir = join(root, `base-${N}`);
  console.error(`writing ${N} entries under ${baseDir} …`);
  for (let i = 0; i < N; i++) {
    const file = join(baseDir, `topic-${i % TOPICS}`, `entry-${i}.md`);
    if (i < TOPICS) await mkdir(dirname(file), { recursive: true });
    await writeFile(file, entry(i % TOPICS, i));
  }
  git(baseDir, "init", "--quiet", "--initial-branch=main");
  commitAll(baseDir, "start");
  // MEMORY.md as memory commit writes it, committed, so the audit sees a clean folder.
  const { openMemory, loadFiles, renderIndex } = await import("../../packages/memory/dist/index.js");
  const s = await openMemory({ dir: baseDir });
  await writeFile(
    join(baseDir, "MEMORY.md"),
    renderIndex((await loadFiles(s)).flatMap((f) => (f.entry ? [f.entry] : []))),
  );
  commitAll(baseDir, "index");
  git(baseDir, "status", "--porcelain"); // a fresh stat cache, as after any git command

  const record = (what, rows) => {
    const r = { n: N, what, ms: median(rows.map((x) => x.ms)), maxRssMB: median(rows.map((x) => x.maxRssMB)) };
    results.push(r);
    console.error(`${N} ${what}: ${r.ms.toFixed(0)} ms, ${r.maxRssMB.toFixed(0)} MB`);
  };
  const times = (mode, dir, before) => Array.from({ length: RUNS }, () => measure(mode, dir, before));
  record("read files", times("read", baseDir));
  // Interleaved, one of each per round, so the machine's load drifts over all three alike.
  const audits = { cold: [], warm: [], before: [], start: [], startBefore: [] };
  for (let r = 0; r < RUNS; r++) {
    await dropParseCache(baseDir);
    audits.cold.push(measure("load-audit", baseDir));
    audits.warm.push(measure("load-audit", baseDir));
    if (base) audits.before.push(measure("load-audit", baseDir, true));
    audits.start.push(measure("run-start", baseDir));
    if (base) audits.startBefore.push(measure("run-start", baseDir, true));
  }
  record("load + audit, first run (no parse cache)", audits.cold);
  record("load + audit (unchanged memory)", audits.warm);
  if (base) record("load + audit, before", audits.before);
  record("run start (unchanged memory)", audits.start);
  if (base) record("run start, before", audits.startBefore);

  // status + commit: fresh copies of the same repository, 10 entries edited in each.
  const rows = {};
  const sides = ["now", "cli", ...(base ? ["before"] : [])];
  for (let r = 0; r < RUNS; r++) {
    for (const side of sides) {
      const dir = join(root, `${side}-${N}-${r}`);
      await cp(baseDir, dir, { recursive: true });
      git(dir, "status", "--porcelain");
      for (let k = 0; k < 10; k++) {
        const i = (k * 997) % N;
        await writeFile(
          join(dir, `topic-${i % TOPICS}`, `entry-${i}.md`),
          entry(i % TOPICS, i).replace("stable", `changed ${r}`),
        );
      }
      const push = (what, row) => (rows[what] ??= []).push(row);
      if (side === "cli") {
        push("git status (CLI)", measure("git-status", dir));
        push("git add -A + commit (CLI)", measure("git-commit", dir));
      } else {
        const b = side === "before";
        push(b ? "memory status, before" : "memory status", measure("status", dir, b));
        if (!b) push("memory status without a git CLI (index stat cache)", measure("status-index", dir));
        push(b ? "memory commit, before" : "memory commit", measure("commit", dir, b));
        if (git(dir, "status", "--porcelain") !== "") throw new Error("memory commit left changes behind");
      }
      await rm(dir, { recursive: true, force: true });
    }
  }
  for (const [what, list] of Object.entries(rows)) record(what, list);
  await rm(baseDir, { recursive: true, force: true });
}
await rm(root, { recursive: true, force: true });
await rm(stateDir, { recursive: true, force: true });

const get = (n, what) => results.find((r) => r.n === n && r.what === what);
const ratio = (n, a, b) => (get(n, a) && get(n, b) ? (get(n, a).ms / get(n, b).ms).toFixed(2) : "–");
const whats = [...new Set(results.map((r) => r.what))];
const section = [
  "## Memory",
  "",
  provenance(`node bench/memory/run.mjs ${largest}`, [
    "entries of ~500 bytes in 100 topic folders",
    "each measurement in a fresh node process (peak RSS = that process's maxRSS) whose clock starts after node has started and the modules are imported, so a row is the operation alone inside one running process, as the issue asks; the git CLI rows time the same window around `git` run from that process (each git command is a process of its own, as when memory runs it); median of 5 (1 at 100,000), the sides of a comparison interleaved run by run",
    ...(base
      ? [
          `*before* rows: BENCH_BASE, ${process.env.BENCH_BASE_NOTE ?? "a built checkout of the code before the change"}, in the same run`,
        ]
      : []),
  ]),
  "",
  "*read files* finds and reads every entry and does nothing else (the floor). *load + audit* is `openMemory` + `auditMemory`",
  "on a clean, committed folder: what a run does at its start; its *first run* row starts without the parse cache (each entry",
  "read, parsed and scanned, the cache written), the *unchanged memory* row is every run after that (one `git status`, or",
  "without a git CLI a stat walk against `.git/index`, and one read of the cache). *run start* is `memoryAtRunStart` without a remote",
  "plus each entry's origin (`entryOrigins`): the audit, the entries an agent may see and their index. The status/commit rows start from copies of the same committed",
  "repository (committed by the git CLI, then `git status` once), with 10 entries edited in each. *memory status* is",
  "`handEdits`: the git CLI's status when git is installed (as here), else HEAD's tree against the index's stat cache (its own",
  "row). *memory commit* is `commitHandEdits`: status, secret scan of the changed files, MEMORY.md kept when no edited entry",
  "changes its row and the cache's `heads` is stamped with HEAD (as here: only the edited files' rows are compared), else",
  "regenerated from `heads` plus the changed files; the trees it rewrites read by one `git cat-file`, the commit's objects",
  "written as loose objects (only the changed folders' trees), one index update (`git update-index`) while the cache is written.",
  "",
  `| what | ${SIZES.map((n) => `${n.toLocaleString("en")} entries`).join(" | ")} |`,
  `|---|${SIZES.map(() => "---:").join("|")}|`,
  ...whats.map(
    (w) =>
      `| ${w} | ${SIZES.map((n) => (get(n, w) ? `${get(n, w).ms.toFixed(0)} ms · ${get(n, w).maxRssMB.toFixed(0)} MB` : "–")).join(" | ")} |`,
  ),
  "",
  ...SIZES.map(
    (n) =>
      `- ${n.toLocaleString("en")} entries: memory status / git status = **${ratio(n, "memory status", "git status (CLI)")}×** ` +
      `(without a git CLI **${ratio(n, "memory status without a git CLI (index stat cache)", "git status (CLI)")}×**); ` +
      `memory commit / git add + commit = **${ratio(n, "memory commit", "git add -A + commit (CLI)")}×**` +
      (base
        ? `; before: status **${ratio(n, "memory status, before", "git status (CLI)")}×**, commit **${ratio(n, "memory commit, before", "git add -A + commit (CLI)")}×**; load + audit now / before = **${ratio(n, "load + audit (unchanged memory)", "load + audit, before")}×** (first run without the cache **${ratio(n, "load + audit, first run (no parse cache)", "load + audit, before")}×**); run start now / before = **${ratio(n, "run start (unchanged memory)", "run start, before")}×**`
        : ""),
  ),
].join("\n");
await writeSection("memory", section);
