// The side panel on a long thread: 200 rounds in PROGRESS.md, 2,000 artifacts in the index and
// 20,000 audit entries. (1) Server time and bytes of each view's first page, measured from a client
// on loopback (so HTTP included), median of N after a warm-up. (2) Live-update latency: a round
// appended to PROGRESS.md by another writer until the open page's DOM shows it (SSE + refetch), p50/p90.
// Run after building:  pnpm exec tsc -b && node bench/panel/run.mjs [N]   (or `pnpm --dir bench run panel`)
import { mkdir, mkdtemp, appendFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { canonicalJson, entryHash, GENESIS_HASH } from "../../packages/core/dist/index.js";
import { startPanel } from "../../packages/panel/dist/index.js";
import { provenance, writeSection } from "../results-writer.mjs";

const N = Number(process.argv[2] ?? 20);
const UPDATES = Number(process.argv[3] ?? 20);
const ROUNDS = 200;
const PER_ROUND = 10;
const AUDIT = 20_000;
const here = dirname(fileURLToPath(import.meta.url));
const requireFromPanel = createRequire(join(here, "..", "..", "packages", "panel", "package.json"));
const puppeteer = (await import(pathToFileURL(requireFromPanel.resolve("puppeteer-core")).href)).default;

const base = await mkdtemp(join(tmpdir(), "worksite-bench-panel-"));
process.env.WORKSITE_STATE_DIR = join(base, "state");
process.env.WORKSITE_APPROVAL_KEY_FILE = join(base, "config", "approval.key");
process.env.XDG_CONFIG_HOME = join(base, "config");
const root = join(base, "site");
await mkdir(join(root, ".worksite"), { recursive: true });
await writeFile(join(root, "THREAD.md"), "---\nstage: write\nagent: script\n---\n# bench thread\n");
await writeFile(join(root, "GOAL.md"), "# Goal\nKeep a long thread reviewable.\n\n## Verify\n- `npm test`\n");
await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n\n## Allow\n- `file.read`\n");

// A round report shaped like the runtime's (~1.5 KB).
const report = (n) => `## Round ${n} — continue: verification failed: npm test: exit 1

Run run-${n}, 2026-12-06T00:00:00.000Z → 2026-12-06T00:01:00.000Z.

### Done
ran 6 step(s): 5 ok, 1 drafted
${Array.from({ length: 6 }, (_, k) => `- file.write: ok (allow) — wrote src/module-${n}-${k}.js (1204 bytes)`).join("\n")}

### Changed files
${Array.from({ length: 5 }, (_, k) => `- src/module-${n}-${k}.js`).join("\n")}

### Verification
- ✘ \`npm test\` — exit 1 ([output](artifacts/round-${n}/shell-npm.log))

### Blockers
- none

### Next step
keep going: the next round fixes the failing test.
`;
await writeFile(
  join(root, "PROGRESS.md"),
  `# Progress\n\n${Array.from({ length: ROUNDS }, (_, i) => report(i + 1)).join("\n")}`,
);

// 2,000 artifacts: per round a screenshot, a test log, a report and seven logs.
const png = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082",
  "hex",
);
const artifacts = [];
for (let r = 1; r <= ROUNDS; r++) {
  const dir = join(root, "artifacts", `round-${r}`);
  await mkdir(dir, { recursive: true });
  for (let k = 0; k < PER_ROUND; k++) {
    const [name, kind, data] =
      k === 0
        ? ["screenshot.png", "screenshot", png]
        : k === 1
          ? ["shell-npm.log", "test-result", "not ok 1 - cart total\n"]
          : k === 2
            ? ["report.md", "markdown", report(r)]
            : [`step-${k}.log`, "log", `log ${k} of round ${r}\n`];
    await writeFile(join(dir, name), data);
    artifacts.push({
      path: `artifacts/round-${r}/${name}`,
      kind,
      round: r,
      run: `run-${r}`,
      created: new Date().toISOString(),
    });
  }
}
await writeFile(join(root, "artifacts", "index.json"), `${JSON.stringify({ version: 1, artifacts }, null, 2)}\n`);

// 20,000 audit entries, a real hash chain (the audit page verifies it).
let prev = GENESIS_HASH;
const lines = [];
for (let seq = 1; seq <= AUDIT; seq++) {
  const entry = {
    seq,
    time: new Date(Date.UTC(2026, 11, 6, 0, 0, seq)).toISOString(),
    prev,
    type: seq % 2 ? "decision" : "result",
    actor: "agent",
    run: `run-${Math.ceil(seq / 100)}`,
    tool: "file.write",
    target: `src/module-${seq}.js`,
    tier: "allow",
    outcome: "ok",
    decidedBy: "rule PERMISSIONS.md:4",
  };
  const hash = entryHash(entry);
  lines.push(canonicalJson({ ...entry, hash }));
  prev = hash;
}
await writeFile(join(root, ".worksite", "audit.jsonl"), `${lines.join("\n")}\n`);

const panel = await startPanel({ worksites: [root] });
const login = await fetch(panel.loginUrl, { redirect: "manual" });
const cookie = login.headers.get("set-cookie").split(";")[0];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function timed(path) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < N + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(`${panel.origin}${path}`, { headers: { cookie } });
    const body = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    if (i >= 3) times.push(ms);
    bytes = body.length;
  }
  return { path, ms: median(times), p90: pct(times, 0.9), bytes };
}

const views = [];
for (const path of ["/t/0", "/t/0/rounds", "/t/0/artifacts", "/t/0/audit", "/t/0/audit?tool=file.write&page=2"])
  views.push(await timed(path));

// Update latency in real Chromium.
const profile = await mkdtemp(join(tmpdir(), "worksite-bench-panel-chromium-"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", `--user-data-dir=${profile}`],
});
const page = await browser.newPage();
await page.goto(panel.newLoginUrl(), { waitUntil: "load" });
await page.waitForFunction(() => document.getElementById("live-state")?.textContent === "live");
const latencies = [];
for (let k = 1; k <= UPDATES + 2; k++) {
  const n = ROUNDS + k;
  const seen = page.waitForFunction(
    (want) => {
      const h = document.querySelector("[data-live=latest] h3");
      return h?.textContent.startsWith(want) ? Date.now() : false;
    },
    { timeout: 30_000, polling: "mutation" },
    `Round ${n} `,
  );
  const t0 = Date.now();
  await appendFile(join(root, "PROGRESS.md"), `\n${report(n)}`);
  const t1 = await (await seen).jsonValue();
  if (k > 2) latencies.push(t1 - t0);
}
await browser.close();
await panel.close();
await rm(profile, { recursive: true, force: true });
await rm(base, { recursive: true, force: true });

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(1)} ms`;
await writeSection(
  "panel",
  `## Panel

${provenance(`node bench/panel/run.mjs ${N} ${UPDATES}`, [`a thread of ${ROUNDS} rounds, ${artifacts.length.toLocaleString("en")} artifacts, ${AUDIT.toLocaleString("en")} audit entries`])}

Each view's first page, fetched by a client on loopback with the session cookie (HTTP included), median and p90 of ${N} after 3 warm-ups.
Rounds show 10 per page, the audit log 50 entries per page, artifacts 5 rounds per page; the thread page reads only the
audit log's last 512 KB.

| view | median | p90 | bytes |
|---|---:|---:|---:|
${views.map((v) => `| \`${v.path}\` | ${ms(v.ms)} | ${ms(v.p90)} | ${kb(v.bytes)} |`).join("\n")}

Live update: a round appended to PROGRESS.md by another writer, until the thread page open in headless Chromium shows it
(files polled every 100 ms → SSE event → the page refetched → its live regions replaced), ${UPDATES} updates:
**p50 ${ms(median(latencies))}**, p90 ${ms(pct(latencies, 0.9))}.
`,
);
