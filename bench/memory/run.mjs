// bench/memory: 10,000 entries. Build first: pnpm exec tsc -b (from the repo root).
// Then: node bench/memory/run.mjs [entries]   (or `pnpm bench`)
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { provenance, writeSection } from "../results-writer.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 10_000);
const RUNS = 3;
const TOPICS = 100;

const git = (dir, ...args) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
const measure = (mode, dir) =>
  JSON.parse(execFileSync(process.execPath, [join(here, "measure.mjs"), mode, dir], { encoding: "utf8" }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function entry(topic, i) {
  const name = `entry-${i}`;
  return `---
name: ${name}
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

const root = await mkdtemp(join(tmpdir(), "bench-memory-"));
const base = join(root, "base");
console.error(`writing ${N} entries under ${base} …`);
for (let i = 0; i < N; i++) {
  const topic = `topic-${i % TOPICS}`;
  const file = join(base, topic, `entry-${i}.md`);
  if (i < TOPICS) await mkdir(dirname(file), { recursive: true });
  await writeFile(file, entry(i % TOPICS, i));
}
// The same committed tree for both sides, made by the git CLI; isomorphic-git reads git's index as is.
git(base, "init", "--quiet", "--initial-branch=main");
git(base, "add", "-A");
git(base, "-c", "user.name=Bench", "-c", "user.email=bench@example.test", "commit", "--quiet", "-m", "start");
// Generate MEMORY.md the way memory commit would, then commit it, so the audit sees a clean folder.
const { openMemory, loadFiles, renderIndex } = await import("../../packages/memory/dist/index.js");
const s = await openMemory({ dir: base });
await writeFile(join(base, "MEMORY.md"), renderIndex((await loadFiles(s)).flatMap((f) => (f.entry ? [f.entry] : []))));
git(base, "add", "-A");
git(base, "-c", "user.name=Bench", "-c", "user.email=bench@example.test", "commit", "--quiet", "-m", "index");

const results = {};
const record = (label, rows) => {
  results[label] = {
    ms: median(rows.map((r) => r.ms)),
    maxRssMB: median(rows.map((r) => r.maxRssMB)),
    detail: rows[0],
  };
  console.error(`${label}: ${results[label].ms.toFixed(0)} ms, ${results[label].maxRssMB.toFixed(0)} MB`);
};

record(
  "read files",
  Array.from({ length: RUNS }, () => measure("read", base)),
);
record(
  "load + audit",
  Array.from({ length: RUNS }, () => measure("load-audit", base)),
);

// status + commit: fresh copies of the same repo, 10 entries edited in each.
const rows = { status: [], commit: [], "git-status": [], "git-commit": [] };
for (let r = 0; r < RUNS; r++) {
  for (const side of ["iso", "cli"]) {
    const dir = join(root, `${side}-${r}`);
    await cp(base, dir, { recursive: true });
    git(dir, "status", "--porcelain"); // both sides start from a fresh stat cache
    for (let k = 0; k < 10; k++) {
      const i = (k * 997) % N;
      await writeFile(
        join(dir, `topic-${i % TOPICS}`, `entry-${i}.md`),
        entry(i % TOPICS, i).replace("stable", `changed ${r}`),
      );
    }
    if (side === "iso") {
      rows.status.push(measure("status", dir));
      rows.commit.push(measure("commit", dir));
      if (git(dir, "status", "--porcelain") !== "") throw new Error("memory commit left changes behind");
    } else {
      rows["git-status"].push(measure("git-status", dir));
      rows["git-commit"].push(measure("git-commit", dir));
    }
    await rm(dir, { recursive: true, force: true });
  }
}
record("memory status (HEAD tree vs. blob ids)", rows.status);
record("memory commit (status, secret scan, index, commit)", rows.commit);
record("git status (CLI)", rows["git-status"]);
record("git add -A + commit (CLI)", rows["git-commit"]);
await rm(root, { recursive: true, force: true });

const r = (a, b) => (results[a].ms / results[b].ms).toFixed(1);
const m = (a, b) => (results[a].maxRssMB / results[b].maxRssMB).toFixed(1);
const section = [
  "## Memory",
  "",
  provenance(`node bench/memory/run.mjs ${N}`, [
    `${N.toLocaleString("en")} entries of ~500 bytes in ${TOPICS} topic folders`,
    `each measurement in a fresh node process (peak RSS = that process's maxRSS), median of ${RUNS}`,
  ]),
  "",
  "*read files* finds and reads every entry and does nothing else (the floor). *load + audit* is `openMemory` + `auditMemory`:",
  "parse and validate every entry (core's frontmatter reader + zod), scan each for secrets and conflict markers, find duplicates,",
  "render MEMORY.md to check it, and a status of the folder for uncommitted edits. The status/commit rows start from two copies",
  "of the same committed repository (committed by the git CLI, then `git status` once), with 10 entries edited in each.",
  "*memory status* is `handEdits` (HEAD's tree against the blob ids of the files); *memory commit* is `commitHandEdits`: status",
  `again, secret scan of the changed files, MEMORY.md regenerated from all ${N.toLocaleString("en")} entries, commit built from trees, index updated.`,
  "",
  `| what (${N.toLocaleString("en")} entries, median of ${RUNS}) | time | peak RSS |`,
  "|---|---:|---:|",
  ...Object.entries(results).map(([k, v]) => `| ${k} | ${v.ms.toFixed(0)} ms | ${v.maxRssMB.toFixed(0)} MB |`),
  "",
  `- load + audit / read files = **${r("load + audit", "read files")}×** time, **${m("load + audit", "read files")}×** peak memory`,
  `- memory status / git status = **${r("memory status (HEAD tree vs. blob ids)", "git status (CLI)")}×**; ` +
    `memory commit / git add + commit = **${r("memory commit (status, secret scan, index, commit)", "git add -A + commit (CLI)")}×**`,
].join("\n");
await writeSection("memory", section);
