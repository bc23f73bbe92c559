// Browser plugin overhead per action: open + snapshot + click + screenshot through
// the gate (policy + audit + artifacts), the same tools called directly, and the
// same actions with raw puppeteer-core, in one run; plus cold start of a session.
// The plugin is the one users get, its bundle (dist/bundle/, with puppeteer-core inlined).
// Run after building:  pnpm exec turbo run build && node bench/browser/overhead.mjs [N] [COLD]   (or `pnpm bench`)
import "../own-state.mjs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createArtifactStore,
  createGate,
  openAuditLog,
  parsePermissions,
  wrapUntrusted,
} from "../../packages/core/dist/index.js";
import { CHROMIUM_FLAGS, createBrowserPlugin, findBrowser } from "../../plugins/browser/dist/bundle/index.js";
import { provenance, writeSection } from "../results-writer.mjs";
import { interleaved, serveBenchPage } from "../bench-page.mjs";

const N = Number(process.argv[2] ?? 20);
const COLD = Number(process.argv[3] ?? 5);
const WARMUP = 3;
const here = dirname(fileURLToPath(import.meta.url));
const requireFromPlugin = createRequire(join(here, "..", "..", "plugins", "browser", "package.json"));
const puppeteer = (await import(pathToFileURL(requireFromPlugin.resolve("puppeteer-core")).href)).default;

const { server, origin, url } = await serveBenchPage();

const root = await mkdtemp(join(tmpdir(), "worksite-bench-browser-"));
const permissionsText = `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`;
await writeFile(join(root, "PERMISSIONS.md"), permissionsText);
const permissions = parsePermissions(permissionsText, { file: "PERMISSIONS.md", root });
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

const ms = () => performance.now();
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, median: q(0.5), p95: q(0.95) };
};
const ACTIONS = ["open", "snapshot", "click", "screenshot"];
const timings = { raw: {}, direct: {}, gate: {} };
for (const k of Object.keys(timings)) for (const a of [...ACTIONS, "round"]) timings[k][a] = [];

// --- raw puppeteer-core: the same four actions, no plugin.
async function rawSession() {
  const userDataDir = await mkdtemp(join(tmpdir(), "worksite-bench-raw-"));
  const browser = await puppeteer.launch({
    executablePath: findBrowser(),
    headless: true,
    userDataDir,
    args: [...CHROMIUM_FLAGS],
    defaultViewport: { width: 1280, height: 800 },
  });
  const [p] = await browser.pages();
  return {
    browser,
    page: p ?? (await browser.newPage()),
    close: async () => {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
async function rawRound(s, record) {
  let t = ms();
  await s.page.goto(url, { waitUntil: "load" });
  record("open", ms() - t);
  t = ms();
  await s.page.accessibility.snapshot();
  record("snapshot", ms() - t);
  t = ms();
  await s.page.click("#btn");
  record("click", ms() - t);
  t = ms();
  await s.page.screenshot({ type: "png" });
  record("screenshot", ms() - t);
}

// --- the plugin, called directly with a context from real parts (artifacts on disk).
function directContext() {
  return {
    worksite: root,
    run: "bench",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root, run: "bench", round: 1, redact: (t) => t, tool: "browser" }),
    signal: new AbortController().signal,
    log: quiet,
    untrusted: wrapUntrusted,
    redact: (t) => t,
    check: async () => ({ tier: "allow", reason: "bench" }),
  };
}
async function pluginRound(call, record) {
  let t = ms();
  await call("open", { url });
  record("open", ms() - t);
  t = ms();
  const snap = await call("snapshot", {});
  record("snapshot", ms() - t);
  const ref = snap.content.match(/button "Increment" \[ref=(e\d+)\]/)?.[1];
  if (!ref) throw new Error(`no ref in snapshot:\n${snap.content}`);
  t = ms();
  await call("click", { ref, element: "Increment button" });
  record("click", ms() - t);
  t = ms();
  await call("screenshot", { name: "bench" });
  record("screenshot", ms() - t);
}

const directPlugin = createBrowserPlugin();
const ctx = directContext();
const direct = async (name, input) => directPlugin.tools[name].run(directPlugin.tools[name].input.parse(input), ctx);

const gatePlugin = createBrowserPlugin();
const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
const gate = createGate({
  root,
  worksite: { permissions },
  plugins: [gatePlugin],
  audit,
  actor: "agent",
  run: "bench",
  round: 2,
  log: quiet,
});
const viaGate = async (name, input) => {
  const outcome = await gate.call({ tool: `browser.${name}`, input });
  if (outcome.status !== "ok") throw new Error(`browser.${name}: ${outcome.status} ${outcome.message ?? ""}`);
  return outcome.result;
};

const raw = await rawSession();
const paths = {
  raw: (record) => rawRound(raw, record),
  direct: (record) => pluginRound(direct, record),
  gate: (record) => pluginRound(viaGate, record),
};
await interleaved(paths, { n: N, warmup: WARMUP, timings, now: ms });
await raw.close();
await directPlugin.session.close();
await gate.dispose();

// --- cold start: launch to first page opened.
const cold = { raw: [], plugin: [] };
for (let i = 0; i < COLD; i++) {
  let t = ms();
  const s = await rawSession();
  await s.page.goto(url, { waitUntil: "load" });
  cold.raw.push(ms() - t);
  await s.close();
  const p = createBrowserPlugin();
  t = ms();
  await p.tools.open.run({ url }, directContext());
  cold.plugin.push(ms() - t);
  await p.session.close();
}
server.close();
const auditCheck = await audit.verify();
const auditEntries = auditCheck.entries;
await rm(root, { recursive: true, force: true });

const f = (x) => `${x.toFixed(1)} ms`;
const row = (label, xs) => {
  const s = stats(xs);
  return `| ${label} | ${s.n} | ${f(s.mean)} | ${f(s.median)} | ${f(s.p95)} |`;
};
const med = (xs) => stats(xs).median;
const ratio = (a, b) => `${(med(a) / med(b)).toFixed(2)}×`;
const section = [
  "## Browser",
  "",
  provenance(`node bench/browser/overhead.mjs ${N} ${COLD}`, [
    `Chromium at ${findBrowser()}`,
    `N=${N} rounds per path (after ${WARMUP} warm-up rounds), interleaved`,
    `cold start ×${COLD}`,
  ]),
  "",
  "A round is open + snapshot + click + screenshot on a local page (form, 30-row table, 20-item list). *raw* is puppeteer-core",
  "alone (`goto`, `accessibility.snapshot()`, `click('#btn')`, `screenshot()` to a buffer). *direct* calls the plugin's tools",
  "without the gate: navigation guard (request interception), ref snapshot walked in the page, click by ref with navigation",
  "settling, screenshot written as an artifact with index.json. *gate* adds input parsing, target, policy, two audit appends",
  "per call and the guard's policy checks.",
  "",
  "| path · action | n | mean | median | p95 |",
  "|---|---:|---:|---:|---:|",
  ...["raw", "direct", "gate"].flatMap((k) => [...ACTIONS, "round"].map((a) => row(`${k} · ${a}`, timings[k][a]))),
  row("cold start · raw (launch + first goto)", cold.raw),
  row("cold start · plugin (first browser.open)", cold.plugin),
  "",
  `- round, gate / raw (median): **${ratio(timings.gate.round, timings.raw.round)}**; direct / raw: **${ratio(timings.direct.round, timings.raw.round)}**; gate / direct: **${ratio(timings.gate.round, timings.direct.round)}**`,
  `- per action, gate / raw (median): ${ACTIONS.map((a) => `${a} ${ratio(timings.gate[a], timings.raw[a])}`).join(", ")}`,
  `- per action, gate − direct (median): ${ACTIONS.map((a) => `${a} ${f(med(timings.gate[a]) - med(timings.direct[a]))}`).join(", ")}`,
  `- cold start, plugin / raw (median): **${ratio(cold.plugin, cold.raw)}**`,
  `- audit log after the run: ${auditCheck.ok ? "verifies" : "DOES NOT VERIFY"}, ${auditEntries} entries`,
].join("\n");

await writeSection("browser", section);
