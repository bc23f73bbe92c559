// Chrome bridge overhead per action: snapshot + click + type + screenshot in the person's Chromium
// (extension loaded), through the extension relay and through DevTools endpoint mode (the plugin's
// tools, called directly), against the same CDP actions sent straight over chrome-remote-interface.
// Run after building:  pnpm exec tsc -b && node bench/chrome/overhead.mjs [N]
// With --profile it writes nothing and prints every CDP round trip of one round per plugin path instead.
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createArtifactStore,
  createGate,
  createPendingWrites,
  openAuditLog,
  parsePermissions,
  wrapUntrusted,
} from "../../packages/core/dist/index.js";
import { walkPage } from "../../packages/page/dist/index.js";
import { createChromePlugin, EXTENSION_ID, extensionDir } from "../../plugins/chrome/dist/index.js";
import { provenance, writeSection } from "../results-writer.mjs";
import { interleaved, serveBenchPage } from "../bench-page.mjs";

const PROFILE = process.argv.includes("--profile");
const N = Number(process.argv.filter((a) => !a.startsWith("--"))[2] ?? 20);
const WARMUP = 3;
const here = dirname(fileURLToPath(import.meta.url));
const requireFromPlugin = createRequire(join(here, "..", "..", "plugins", "chrome", "package.json"));
const load = async (name) => (await import(pathToFileURL(requireFromPlugin.resolve(name)).href)).default;
const puppeteer = await load("puppeteer-core");
const CDP = await load("chrome-remote-interface");

const { server, origin } = await serveBenchPage();

const root = await mkdtemp(join(tmpdir(), "worksite-bench-chrome-"));
process.env.WORKSITE_STATE_DIR = await mkdtemp(join(tmpdir(), "worksite-bench-chrome-state-"));
const profile = await mkdtemp(join(tmpdir(), "worksite-bench-chrome-profile-"));
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const ms = () => performance.now();
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, median: q(0.5), p95: q(0.95) };
};

// The person's Chromium: extension loaded, and a DevTools port open (puppeteer's own) for endpoint mode and raw CDP.
const dir = extensionDir();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  headless: true,
  userDataDir: profile,
  ignoreDefaultArgs: ["--disable-extensions"],
  targetFilter: (t) => t.type() !== "service_worker",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    `--disable-extensions-except=${dir}`,
    `--load-extension=${dir}`,
  ],
});
const browserUrl = `http://${new URL(browser.wsEndpoint()).host}`;
const hands = await browser.newPage();
await hands.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
const shared = await browser.newPage();
await shared.goto(`${origin}/?relay`);
await hands.evaluate(async (u) => {
  const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
  const id = await chrome.tabs.group({ tabIds: [tab.id] });
  await chrome.tabGroups.update(id, { title: "worksite" });
}, `${origin}/?relay`);

// As the gate does: screenshot files written in the background are tracked, and waited for at the end.
const writes = createPendingWrites();
function context() {
  return {
    worksite: root,
    run: "bench",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root, run: "bench", round: 1, redact: (t) => t, tool: "chrome", pending: writes }),
    signal: new AbortController().signal,
    log: quiet,
    untrusted: wrapUntrusted,
    redact: (t) => t,
    check: async () => ({ tier: "allow", reason: "bench" }),
  };
}
const ctx = context();
const relayPlugin = createChromePlugin({
  async openConnectPage(url) {
    const p = await browser.newPage();
    await p.goto(url);
    await p.waitForSelector("#allow", { visible: true });
    await p.click("#allow");
  },
});
const endpointPlugin = createChromePlugin({ browserUrl });
// The same relay plugin behind the real gate, as an agent reaches it: each call's target is the tab's URL read at
// that moment (and again for the sensitive-site floor), the decision and the result go to the audit log (an
// external call's decision is fsynced before it runs), and the evidence file is written in the background.
const permissions = [
  "# Permissions",
  "",
  "## Allow",
  `- \`chrome.*(${origin}/**)\``,
  `- \`chrome.click(${origin}/**)\``,
  `- \`chrome.type(${origin}/**)\``,
  "",
].join("\n");
const gate = createGate({
  root,
  worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
  plugins: [relayPlugin],
  audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
  actor: "agent",
  run: "bench",
  round: 1,
});
const gated = async (name, input) => {
  const outcome = await gate.call({ tool: `chrome.${name}`, input });
  if (outcome.status !== "ok") throw new Error(`chrome.${name} through the gate: ${outcome.status}`);
  return outcome.result;
};
const tool = (plugin) => async (name, input) => plugin.tools[name].run(plugin.tools[name].input.parse(input), ctx);
const relay = tool(relayPlugin);
// --profile: every CDP round trip a tool makes, with its start and end relative to the action's start.
let trace;
if (PROFILE)
  for (const [name, plugin] of [
    ["relay", relayPlugin],
    ["endpoint", endpointPlugin],
  ]) {
    const send = plugin.session.send.bind(plugin.session);
    plugin.session.send = async (tab, method, params) => {
      const t0 = ms();
      try {
        return await send(tab, method, params);
      } finally {
        trace?.push(`${name} ${method} ${(t0 - trace.start).toFixed(1)}→${(ms() - trace.start).toFixed(1)}`);
      }
    };
    const write = ctx.artifacts.write.bind(ctx.artifacts);
    ctx.artifacts.write = async (input) => {
      const t0 = ms();
      try {
        return await write(input);
      } finally {
        trace?.push(`artifact write ${(t0 - trace.start).toFixed(1)}→${(ms() - trace.start).toFixed(1)}`);
      }
    };
  }
const endpoint = tool(endpointPlugin);
await endpoint("open", { url: `${origin}/?endpoint` });

async function profiled(label, action) {
  if (!PROFILE) return action();
  trace = [];
  trace.start = ms();
  const out = await action();
  console.log(`${label}: ${(ms() - trace.start).toFixed(1)} ms\n  ${trace.join("\n  ")}`);
  trace = undefined;
  return out;
}

if (PROFILE) {
  for (let i = 0; i < 5; i++) {
    for (const [name, call] of [
      ["relay", relay],
      ["endpoint", endpoint],
    ]) {
      const last = i === 4;
      const p = (label, fn) => (last ? profiled(`${name} ${label}`, fn) : fn());
      const snap = await p("snapshot", () => call("snapshot", {}));
      const button = snap.content.match(/button "Increment" \[ref=(e\d+)\]/)?.[1];
      const box = snap.content.match(/textbox "Search" \[ref=(e\d+)\]/)?.[1];
      await p("click", () => call("click", { ref: button, element: "Increment" }));
      await p("type", () => call("type", { ref: box, element: "Search", text: "quarterly report" }));
      await p("screenshot", () => call("screenshot", { name: "bench" }));
    }
  }
  await relayPlugin.session.close();
  await endpointPlugin.session.close();
  await browser.close();
  server.close();
  for (const d of [root, profile, process.env.WORKSITE_STATE_DIR]) await rm(d, { recursive: true, force: true });
  process.exit(0);
}

async function pluginRound(call, record) {
  let t = ms();
  const snap = await call("snapshot", {});
  record("snapshot", ms() - t);
  const button = snap.content.match(/button "Increment" \[ref=(e\d+)\]/)?.[1];
  const box = snap.content.match(/textbox "Search" \[ref=(e\d+)\]/)?.[1];
  if (!button || !box) throw new Error(`no refs in snapshot:\n${snap.content}`);
  t = ms();
  await call("click", { ref: button, element: "Increment" });
  record("click", ms() - t);
  t = ms();
  await call("type", { ref: box, element: "Search", text: "quarterly report" });
  record("type", ms() - t);
  t = ms();
  await call("screenshot", { name: "bench" });
  record("screenshot", ms() - t);
}

// Raw: the same CDP actions over chrome-remote-interface, no relay and no plugin.
const rawTab = await browser.newPage();
await rawTab.goto(`${origin}/?raw`);
const client = await CDP({ target: browser.wsEndpoint(), local: true });
const { targetInfos } = await client.send("Target.getTargets");
const rawTarget = targetInfos.find((t) => t.url === `${origin}/?raw`);
const { sessionId } = await client.send("Target.attachToTarget", { targetId: rawTarget.targetId, flatten: true });
const send = (method, params = {}) => client.send(method, params, sessionId);
const world = "bench_raw";
// The plugin's evidence screenshot after a click and a type, as raw CDP would take it (same format and quality).
const evidenceShot = () => send("Page.captureScreenshot", { format: "jpeg", quality: 80 });
async function rawRound(record, withEvidence = false) {
  let t = ms();
  const { frameTree } = await send("Page.getFrameTree");
  const { executionContextId } = await send("Page.createIsolatedWorld", {
    frameId: frameTree.frame.id,
    worldName: world,
  });
  await send("Runtime.evaluate", {
    expression: `(${walkPage})(${JSON.stringify({ store: world, next: 1, indent: "", maxOptions: 25 })})`,
    contextId: executionContextId,
    returnByValue: true,
  });
  record("snapshot", ms() - t);
  t = ms();
  // As the plugin does: a background tab acknowledges input seconds late.
  await send("Page.bringToFront");
  const btn = await send("Runtime.evaluate", {
    expression: "document.getElementById('btn')",
    contextId: executionContextId,
  });
  const { quads } = await send("DOM.getContentQuads", { objectId: btn.result.objectId });
  const [x1, y1, , , x3, y3] = quads[0];
  const x = (x1 + x3) / 2;
  const y = (y1 + y3) / 2;
  await send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
  await send("Input.dispatchMouseEvent", { type: "mousePressed", x, y, button: "left", clickCount: 1 });
  await send("Input.dispatchMouseEvent", { type: "mouseReleased", x, y, button: "left", clickCount: 1 });
  if (withEvidence) await evidenceShot();
  record("click", ms() - t);
  t = ms();
  const q = await send("Runtime.evaluate", {
    expression: "document.getElementById('q')",
    contextId: executionContextId,
  });
  await send("Runtime.callFunctionOn", {
    objectId: q.result.objectId,
    functionDeclaration: "function() { this.focus(); this.select(); }",
  });
  await send("Input.insertText", { text: "quarterly report" });
  if (withEvidence) await evidenceShot();
  record("type", ms() - t);
  t = ms();
  await send("Page.captureScreenshot", { format: "png" });
  record("screenshot", ms() - t);
}

const ACTIONS = ["snapshot", "click", "type", "screenshot"];
const timings = { raw: {}, "raw+evidence": {}, endpoint: {}, relay: {}, "relay+gate": {} };
for (const k of Object.keys(timings)) for (const a of [...ACTIONS, "round"]) timings[k][a] = [];
const paths = {
  raw: (record) => rawRound(record),
  "raw+evidence": (record) => rawRound(record, true),
  endpoint: (record) => pluginRound(endpoint, record),
  relay: (record) => pluginRound(relay, record),
  "relay+gate": (record) => pluginRound(gated, record),
};
await interleaved(paths, { n: N, warmup: WARMUP, timings, now: ms });
await writes.settled();
await gate.settled();
await client.close();
await gate.dispose();
await relayPlugin.session.close();
await endpointPlugin.session.close();
await browser.close();
server.close();
for (const d of [root, profile, process.env.WORKSITE_STATE_DIR]) await rm(d, { recursive: true, force: true });

const f = (x) => `${x.toFixed(1)} ms`;
const row = (label, xs) => {
  const s = stats(xs);
  return `| ${label} | ${s.n} | ${f(s.mean)} | ${f(s.median)} | ${f(s.p95)} |`;
};
const med = (xs) => stats(xs).median;
const ratio = (a, b) => `${(med(a) / med(b)).toFixed(2)}×`;
const section = [
  "## Chrome bridge",
  "",
  provenance(`node bench/chrome/overhead.mjs ${N}`, [
    "Chromium at /usr/bin/chromium with the worksite extension loaded (headless)",
    `N=${N} rounds per path (after ${WARMUP} warm-up rounds), interleaved, one browser, a tab each`,
  ]),
  "",
  "A round is snapshot + click + type + screenshot on a local page (form, 30-row table, 20-item list), each path in its own tab",
  "(the relay paths share one), so every action first brings its tab to the front: a tab switch each time, which a real",
  "session pays once.",
  "",
  "- *raw*: the same user-visible actions straight over chrome-remote-interface: frame tree, an isolated world and the",
  "  walker; bring to front, find the button, content quads, three mouse events; find the field, focus and select,",
  "  insertText; captureScreenshot (PNG). No navigation guard, no URL check, no evidence.",
  "- *raw+evidence*: raw plus what the plugin adds that a person can see: a screenshot (JPEG q80) after the click and",
  "  after the type, taken before the action counts as done (not written to disk).",
  "- *endpoint*: the plugin's tools called directly (no gate) in DevTools endpoint mode (direct CDP). Besides the",
  "  actions they keep the navigation guard on for the tab (documents only, switched on once per tab), wait one turn",
  "  of the page's event loop after an input for a navigation it may start, mask card and one-time-code digits while",
  "  capturing, and after a click or type take the evidence screenshot (JPEG q80): the call ends when the capture",
  "  does (its file name is reserved meanwhile; the bytes are written in the background, awaited at the end as the",
  "  gate's settled() does).",
  "- *relay*: the same tool code through the loopback relay and the extension's chrome.debugger.",
  "- *relay+gate*: *relay* behind the real gate (PERMISSIONS.md rules, audit log on disk): what an agent's call costs.",
  "  Each call also reads the tab's URL once for its target and the sensitive-site floor, and type looks up whether",
  "  the field is a password/card/one-time-code field before deciding (the element found then is the one it types into).",
  "",
  "| path · action | n | mean | median | p95 |",
  "|---|---:|---:|---:|---:|",
  ...Object.keys(timings).flatMap((k) => [...ACTIONS, "round"].map((a) => row(`${k} · ${a}`, timings[k][a]))),
  "",
  `- relay / endpoint, per round (the relay's own cost, same tool code): **${ratio(timings.relay.round, timings.endpoint.round)}** (goal ≤1.2×)`,
  `- relay / raw, per round: **${ratio(timings.relay.round, timings.raw.round)}** counting the evidence screenshots against raw (which takes none); **${ratio(timings.relay.round, timings["raw+evidence"].round)}** against raw+evidence (goal ≤1.2×)`,
  `- endpoint / raw: **${ratio(timings.endpoint.round, timings.raw.round)}**; endpoint / raw+evidence: **${ratio(timings.endpoint.round, timings["raw+evidence"].round)}**`,
  `- relay+gate / raw: **${ratio(timings["relay+gate"].round, timings.raw.round)}**; relay+gate / raw+evidence: **${ratio(timings["relay+gate"].round, timings["raw+evidence"].round)}**; relay+gate / relay: ${ratio(timings["relay+gate"].round, timings.relay.round)}`,
  ...ACTIONS.map(
    (a) =>
      `- ${a}: relay / endpoint ${ratio(timings.relay[a], timings.endpoint[a])}, relay / raw ${ratio(timings.relay[a], timings.raw[a])}, relay / raw+evidence ${ratio(timings.relay[a], timings["raw+evidence"][a])}`,
  ),
].join("\n");
await writeSection("chrome", section);
