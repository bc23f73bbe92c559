// A round's fixed cost on work trees of 100 / 10,000 / 100,000 files: the thread's lock, then the checkpoint
// (changedSince + recordCheckpoint), with one file changed per round. "two scans" is how a round checkpointed
// before issue 13 (changedSince and recordCheckpoint each staging the whole tree); "one scan" reuses what
// changedSince staged. Build first: pnpm exec tsc -b. Then: node bench/round/fixed-cost.mjs [largest]
import "../own-state.mjs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { provenance, writeSection } from "../results-writer.mjs";

const largest = Number(process.argv[2] ?? 100_000);
const SIZES = [100, 10_000, 100_000].filter((n) => n <= largest);
const { acquireLock, changedSince, recordCheckpoint } = await import("../../packages/runtime/dist/index.js");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const n of SIZES) {
  const ROUNDS = n >= 100_000 ? 3 : 7;
  const root = await mkdtemp(join(tmpdir(), "bench-round-"));
  await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# bench\n");
  await writeFile(join(root, "GOAL.md"), "## Goal\nmeasure\n");
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
  for (let i = 0; i < n; i++) {
    const file = join(root, "src", `d${i % 100}`, `f${i}.ts`);
    if (i < 100) await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `export const v${i} = ${i};\n`);
  }
  await recordCheckpoint(root, 0, "before round 1");
  const time = async (fn) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const sample = { lock: [], two: [], one: [] };
  for (let r = 1; r <= ROUNDS * 2; r++) {
    await writeFile(join(root, "src", "d0", "f0.ts"), `export const v0 = ${r};\n`);
    sample.lock.push(
      await time(async () => {
        const held = await acquireLock(root, `bench-${r}`);
        await held.release();
      }),
    );
    // Alternate the two ways, so both see the same machine state.
    const reuse = r % 2 === 0;
    sample[reuse ? "one" : "two"].push(
      await time(async () => {
        await changedSince(root, r - 1);
        await recordCheckpoint(root, r, `round ${r}`, { reuseStaged: reuse });
      }),
    );
  }
  await rm(root, { recursive: true, force: true });
  rows.push({ n, lock: median(sample.lock), two: median(sample.two), one: median(sample.one), rounds: ROUNDS });
  console.error(n, rows.at(-1));
}

const ms = (x) => `${x.toFixed(1)} ms`;
await writeSection(
  "round",
  [
    "## A round's fixed cost",
    "",
    provenance(`node bench/round/fixed-cost.mjs ${largest}`, ["median of 7 rounds each way (3 at 100,000 files)"]),
    "",
    "A work tree of N small files, one file changed per round. *lock* takes and releases the thread's lock. *checkpoint*",
    "is `changedSince` (what the round changed, for its report) then `recordCheckpoint`: *two scans* stages the whole tree",
    "for each, as rounds did before; *one scan* takes the checkpoint from what `changedSince` staged, as rounds do now.",
    "The report itself (PROGRESS.md, artifacts/round-N) does not grow with the tree and is not in these rows.",
    "",
    "| files | lock | checkpoint, two scans | checkpoint, one scan | one / two |",
    "|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.n.toLocaleString("en")} | ${ms(r.lock)} | ${ms(r.two)} | ${ms(r.one)} | ${(r.one / r.two).toFixed(2)}× |`,
    ),
  ].join("\n"),
);
