// Kill -9 of a process in the middle of a stream of gate calls, K times (default 100) on one log: after each
// kill `audit verify` must pass and every write call that ran must have its decision in the log.
// Build first: pnpm exec tsc -b. Then: node bench/audit/kill.mjs [K]   (crash.test.ts runs the same loop 20 times)
import "../own-state.mjs";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { provenance, writeSection } from "../results-writer.mjs";

const K = Number(process.argv[2] ?? 100);
const child = new URL("../../packages/core/src/audit/__fixtures__/crash-child.mjs", import.meta.url).pathname;
const { verifyAuditFile } = await import("../../packages/core/dist/audit/index.js");
const { readEntries } = await import("../../packages/core/dist/audit/read.js");

const root = await mkdtemp(join(tmpdir(), "bench-audit-kill-"));
await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# crash\n");
await writeFile(join(root, "GOAL.md"), "## Goal\nsurvive kill -9\n");
await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n\n## Allow\n- `crash.*`\n");
await mkdir(join(root, ".worksite"), { recursive: true });
const log = join(root, ".worksite", "audit.jsonl");
const marks = join(root, "marks.txt");
const count = () => (existsSync(marks) ? readFileSync(marks, "utf8").split("\n").length - 1 : 0);

let failures = 0;
let onThread = 0;
let ranTotal = 0;
const started = performance.now();
for (let k = 0; k < K; k++) {
  const p = spawn(process.execPath, [child, root, marks, String(k * 1_000_000)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let said = "";
  p.stdout.on("data", (d) => (said += d));
  const exited = new Promise((resolve) => p.on("exit", (code, signal) => resolve(signal ?? code)));
  const before = count();
  // Every other child runs long enough for its syncs to move to the audit's own thread (sync-thread.ts).
  const want = k % 2 === 0 ? 1 + Math.floor(Math.random() * 20) : 200 + Math.floor(Math.random() * 200);
  while (count() - before < want && p.exitCode === null) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
  p.kill("SIGKILL");
  if ((await exited) !== "SIGKILL") throw new Error(`child ${k} ended by itself`);
  if (said.includes("thread")) onThread++;
  const verified = await verifyAuditFile(log);
  const ran = readFileSync(marks, "utf8").split("\n").filter(Boolean);
  const decided = new Set(
    (await readEntries(log))
      .filter((e) => e.type === "decision" && e.tool === "crash.touch" && e.outcome === undefined)
      .map((e) => e.target),
  );
  const missing = ran.filter((id) => !decided.has(id));
  if (!verified.ok || missing.length) {
    failures++;
    console.error(
      `kill ${k + 1}: ${verified.ok ? "verifies" : verified.problem}; ${missing.length} write decisions missing`,
    );
  }
  ranTotal = ran.length;
}
const seconds = (performance.now() - started) / 1000;
const entries = (await verifyAuditFile(log)).entries;
await rm(root, { recursive: true, force: true });

await writeSection(
  "audit-kill",
  [
    "## Audit log under kill -9",
    "",
    provenance(`node bench/audit/kill.mjs ${K}`, [`${K} kills, ${seconds.toFixed(0)} s`]),
    "",
    "A child process runs a real gate and streams calls (a read tool, then a write tool that records its id in a side",
    "file once it runs); it is killed with SIGKILL after 1–20 write calls (every other child: 200–400, so that its",
    "syncs have moved to the audit's own thread) plus 0–3 ms, then the next child appends onto the same log (taking",
    "over the dead holder's lock). After every kill: `audit verify`, and every id in the side file must have its write",
    "call's decision in the log.",
    "",
    `- **${K - failures} of ${K}** kills: the chain verifies and no decision of a write call that ran is missing (${ranTotal.toLocaleString("en")} write calls ran, ${entries.toLocaleString("en")} entries in the log); ${onThread} of the children were killed with their syncs on the audit's own thread`,
  ].join("\n"),
);
if (failures) process.exitCode = 1;
