// `audit verify` of 10k / 100k / 1M entries: time and peak memory (it must stream, so memory stays flat).
// Build first: pnpm exec tsc -b. Then: node bench/audit/verify.mjs [largest]   (or `pnpm bench`)
import "../own-state.mjs";
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { provenance, writeSection } from "../results-writer.mjs";

const largest = Number(process.argv[2] ?? 1_000_000);
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= largest);
const core = "../../packages/core/dist";
const { entryHash, GENESIS_HASH } = await import(`${core}/audit/index.js`);
const { entryLine } = await import(`${core}/audit/hash-chain.js`);

/** A log of `n` gate-like entries, chained as the writer chains them, with its head. */
async function makeLog(path, n) {
  const out = createWriteStream(path);
  let prev = GENESIS_HASH;
  let last;
  for (let seq = 1; seq <= n; seq++) {
    const unhashed = {
      type: seq % 2 ? "decision" : "result",
      run: "bench",
      round: 1 + Math.floor(seq / 1000),
      actor: "agent",
      tool: "file.write",
      target: `src/file-${seq % 500}.ts`,
      callHash: entryHash({ seq, time: "", prev: GENESIS_HASH, type: "x", actor: "y" }),
      tier: "allow",
      decidedBy: "rule PERMISSIONS.md:4",
      ...(seq % 2 ? {} : { outcome: "ok", durationMs: 3 }),
      seq,
      time: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
      prev,
    };
    last = { ...unhashed, hash: entryHash(unhashed) };
    prev = last.hash;
    if (!out.write(`${entryLine(last)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  await writeFile(`${path}.head`, JSON.stringify({ seq: last.seq, hash: last.hash }));
}

const CHILD = `
const { verifyAuditFile } = await import(${JSON.stringify(new URL(`${core}/audit/index.js`, import.meta.url).pathname)});
const t = performance.now();
const r = await verifyAuditFile(process.argv[1]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t, ok: r.ok, entries: r.entries, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`;
const baseline = JSON.parse(
  execFileSync(
    process.execPath,
    ["-e", "process.stdout.write(JSON.stringify({maxRssMB: process.resourceUsage().maxRSS/1024}))"],
    {
      encoding: "utf8",
    },
  ),
);

const dir = await mkdtemp(join(tmpdir(), "bench-audit-verify-"));
const rows = [];
for (const n of SIZES) {
  const path = join(dir, `audit-${n}.jsonl`);
  await makeLog(path, n);
  const bytes = (await stat(path)).size;
  const r = JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", CHILD, path], { encoding: "utf8" }),
  );
  if (!r.ok || r.entries !== n) throw new Error(`verify of ${n} entries said ${JSON.stringify(r)}`);
  rows.push({ n, bytes, ...r });
  console.error(`${n}: ${r.ms.toFixed(0)} ms, ${r.maxRssMB.toFixed(0)} MB`);
  await rm(path);
}
await rm(dir, { recursive: true, force: true });

const section = [
  "## Audit verify",
  "",
  provenance(`node bench/audit/verify.mjs ${largest}`, [
    "each verify in a fresh node process (peak RSS = that process's maxRSS)",
  ]),
  "",
  "A log of gate-like entries (decision and result lines of ~400 bytes), chained as the writer chains them, with its",
  "head. `verifyAuditFile` reads it as a stream: parse, schema, seq, prev, hash, byte-for-byte form, head.",
  "",
  "| entries | log size | time | per entry | peak RSS |",
  "|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.n.toLocaleString("en")} | ${(r.bytes / 1e6).toFixed(0)} MB | ${(r.ms / 1000).toFixed(2)} s | ${((r.ms * 1000) / r.n).toFixed(1)} µs | ${r.maxRssMB.toFixed(0)} MB |`,
  ),
  `| (node -e 0) | | | | ${baseline.maxRssMB.toFixed(0)} MB |`,
  "",
  `- time grows linearly (${rows.map((r) => `${((r.ms * 1000) / r.n).toFixed(1)} µs`).join(" / ")} per entry); peak memory stays flat from ${rows[0].n.toLocaleString("en")} to ${rows.at(-1).n.toLocaleString("en")} entries (${rows.map((r) => `${r.maxRssMB.toFixed(0)}`).join(" / ")} MB): it streams`,
].join("\n");
await writeSection("audit-verify", section);
