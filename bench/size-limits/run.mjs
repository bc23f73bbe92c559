// bench/size-limits: what files past (and just under) their size limits, and a YAML alias bomb, cost
// the real `worksite check` / `worksite skill check` processes. Build first: pnpm exec tsc -b.
// Then: node bench/size-limits/run.mjs [runs]. Wall time and peak memory come from GNU time (/usr/bin/time).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { provenance, writeSection } from "../results-writer.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../..");
const bin = join(repo, "packages/cli/dist/bin.js");
const RUNS = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
if (!existsSync("/usr/bin/time")) throw new Error("needs GNU time at /usr/bin/time (apt-get install time)");

const THREAD = "---\nstage: write\n---\n# Bench\n\n## Owns\n- src/\n";
const GOAL = "# Goal\n\nKeep src/ tidy.\n\n## Scope\n- do not change LICENSE\n";
const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n\n## Forbidden\n- `shell.run(rm -rf)`\n";
const justUnder = (head, line) => head + line.repeat(Math.floor((MiB - head.length) / line.length));
const bomb = () => {
  const lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let n = 1; n < 9; n++)
    lines.push(
      `l${n}: &l${n} [${Array(9)
        .fill(`*l${n - 1}`)
        .join(",")}]`,
    );
  return `---\n${lines.join("\n")}\ndefault: *l8\n---\n${PERMISSIONS}`;
};

async function worksite(files) {
  const root = await mkdtemp(join(tmpdir(), "bench-size-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function grow50MB(file, line) {
  const chunk = line.repeat(Math.ceil(MiB / line.length));
  for (let i = 0; i < 50; i++) await appendFile(file, chunk);
}

function measure(root, argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, bin, ...argv], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * MiB,
  });
  const [seconds, kb] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  const firstError = r.stderr.split("\n").find((l) => / error: /.test(l)) ?? "";
  return { seconds, mb: kb / 1024, code: r.status, firstError };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases = [];
{
  const root = await worksite({ "THREAD.md": THREAD, "GOAL.md": GOAL, "PERMISSIONS.md": PERMISSIONS });
  await grow50MB(join(root, "GOAL.md"), "- Do not change `src/generated/file.ts`\n");
  cases.push({ name: "check: 50 MB GOAL.md (1.3 M list lines)", root, argv: ["check"] });
}
{
  const root = await worksite({ "THREAD.md": THREAD, "GOAL.md": GOAL, "PERMISSIONS.md": PERMISSIONS });
  await grow50MB(join(root, "PERMISSIONS.md"), "- `file.write(src/generated/file.ts)`\n");
  cases.push({ name: "check: 50 MB PERMISSIONS.md", root, argv: ["check"] });
}
cases.push({
  name: "check: alias bomb (9^9) in PERMISSIONS.md",
  root: await worksite({ "THREAD.md": THREAD, "GOAL.md": GOAL, "PERMISSIONS.md": bomb() }),
  argv: ["check"],
});
cases.push({
  name: "check: GOAL.md + PERMISSIONS.md just under 1 MiB (≥250,000 list lines each)",
  root: await worksite({
    "THREAD.md": THREAD,
    "GOAL.md": justUnder(GOAL, "- a\n"),
    "PERMISSIONS.md": justUnder(`${PERMISSIONS}\n## Allow\n`, "- x\n"),
  }),
  argv: ["check"],
});
cases.push({
  name: "check: PERMISSIONS.md just under 1 MiB with 40,000 rules",
  root: await worksite({
    "THREAD.md": THREAD,
    "GOAL.md": GOAL,
    "PERMISSIONS.md": `${PERMISSIONS}\n## Allow\n${Array.from({ length: 40_000 }, (_, i) => `- \`file.write(s/${i})\`\n`).join("")}`,
  }),
  argv: ["check"],
});
cases.push({
  name: "skill check: SKILL.md just under 1 MiB (≥250,000 list lines)",
  root: await worksite({
    "THREAD.md": THREAD,
    "skills/long/SKILL.md": justUnder(
      "---\nname: long\ndescription: long lists\n---\n\n# long\n\n## Done when\n",
      "- a\n",
    ),
  }),
  argv: ["skill", "check", "skills/long"],
});

const rows = [];
for (const c of cases) {
  const runs = Array.from({ length: RUNS }, () => measure(c.root, c.argv));
  rows.push({
    ...c,
    seconds: median(runs.map((r) => r.seconds)),
    mb: median(runs.map((r) => r.mb)),
    code: runs[0].code,
    firstError: runs[0].firstError,
  });
  console.error(`${c.name}: ${rows.at(-1).seconds} s, ${rows.at(-1).mb.toFixed(0)} MB, exit ${rows.at(-1).code}`);
  await rm(c.root, { recursive: true, force: true });
}

const section = [
  "## Size limits",
  "",
  provenance(`node bench/size-limits/run.mjs ${RUNS}`, [`median of ${RUNS} runs of the real CLI process`]),
  "",
  "Issue 21 saw a 50 MB GOAL.md end `check` with a stack overflow, and an alias bomb in PERMISSIONS.md cost 24 s and 2.3 GB on every `check`.",
  "Time and peak memory are the whole process (Node start-up included: ~0.3 s, ~60 MB here).",
  "",
  "| case | exit | wall | peak RSS | first error |",
  "|---|---:|---:|---:|---|",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.code} | ${r.seconds.toFixed(2)} s | ${r.mb.toFixed(0)} MB | ${r.firstError
        .replace(/^.*? error: /, "")
        .replace(/\|/g, "\\|")
        .slice(0, 90)} |`,
  ),
].join("\n");
await writeSection("size-limits", section);
