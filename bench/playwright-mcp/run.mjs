// worksite's browser over MCP against Playwright MCP, both over stdio from the same MCP client, on the
// Debian Chromium headless (issue 13 item 4): cold start (spawn + initialize + first navigate), then
// rounds of navigate + snapshot + click + screenshot, interleaved server by server. Playwright MCP runs
// with its settle wait off (`--timeout-settle 0`) and, as a second reference, with its default.
// Run after building:  node bench/playwright-mcp/run.mjs [ROUNDS] [COLD]   (or `pnpm --dir bench playwright-mcp`)
import "../own-state.mjs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { provenance, writeSection } from "../results-writer.mjs";
import { serveBenchPage } from "../bench-page.mjs";

const ROUNDS = Number(process.argv[2] ?? 20);
const COLD = Number(process.argv[3] ?? 5);
const WARMUP = 3;
const CHROMIUM = "/usr/bin/chromium";
const here = dirname(fileURLToPath(import.meta.url));
const worksiteBin = join(here, "..", "..", "packages", "cli", "dist", "bin.js");
// The package exports no cli.js subpath: its folder is found through package.json, which it does export.
const playwrightCli = join(dirname(createRequire(import.meta.url).resolve("@playwright/mcp/package.json")), "cli.js");

const { server, origin, url } = await serveBenchPage();

const site = await mkdtemp(join(tmpdir(), "worksite-bench-mcp-"));
await writeFile(join(site, "THREAD.md"), "---\nplugins: [browser]\nstage: write\n---\n# Bench\n");
await writeFile(join(site, "GOAL.md"), "## Goal\nBench the browser over MCP.\n");
await writeFile(join(site, "PERMISSIONS.md"), `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`);
const outDir = await mkdtemp(join(tmpdir(), "worksite-bench-playwright-out-"));

const playwrightArgs = (settle) => [
  playwrightCli,
  "--headless",
  "--isolated",
  "--no-sandbox",
  "--executable-path",
  CHROMIUM,
  "--output-dir",
  outDir,
  // worksite's viewport: both servers capture the same picture (Playwright's own default, 1280x720, has 10% fewer pixels).
  "--viewport-size",
  "1280x800",
  ...(settle === undefined ? [] : ["--timeout-settle", String(settle)]),
];
const servers = {
  worksite: {
    command: [worksiteBin, "mcp", "-w", site],
    tools: {
      navigate: ["browser_open", () => ({ url })],
      snapshot: ["browser_snapshot", () => ({})],
      click: ["browser_click", (ref) => ({ ref, element: "Increment button" })],
      // Inline, as Playwright MCP returns it; the artifact is saved as well.
      screenshot: ["browser_screenshot", () => ({ inline: true })],
    },
  },
  "playwright, settle off": { command: playwrightArgs(0), tools: playwrightTools() },
  "playwright, default settle": { command: playwrightArgs(undefined), tools: playwrightTools() },
};
function playwrightTools() {
  return {
    navigate: ["browser_navigate", () => ({ url })],
    snapshot: ["browser_snapshot", () => ({})],
    click: ["browser_click", (ref) => ({ ref, target: ref, element: "Increment button" })],
    screenshot: ["browser_take_screenshot", () => ({})],
  };
}

const ms = () => performance.now();
async function connect(name) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: servers[name].command,
    stderr: "ignore",
    env: { ...process.env },
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return client;
}
async function call(client, name, action, arg) {
  const [tool, input] = servers[name].tools[action];
  const result = await client.callTool({ name: tool, arguments: input(arg) }, undefined, { timeout: 60_000 });
  if (result.isError) throw new Error(`${name} ${tool}: ${JSON.stringify(result.content).slice(0, 400)}`);
  return result;
}
const text = (result) =>
  result.content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");

const ACTIONS = ["navigate", "snapshot", "click", "screenshot"];
const timings = Object.fromEntries(
  Object.keys(servers).map((k) => [
    k,
    Object.fromEntries([...ACTIONS, "screenshot again", "round", "cold"].map((a) => [a, []])),
  ]),
);
async function round(name, client, record) {
  let t = ms();
  await call(client, name, "navigate");
  record("navigate", ms() - t);
  t = ms();
  const snap = text(await call(client, name, "snapshot"));
  record("snapshot", ms() - t);
  const ref = snap.match(/button "Increment"[^\n]*\[ref=([a-z0-9]+)\]/)?.[1];
  if (!ref) throw new Error(`${name}: no ref for the button in:\n${snap.slice(0, 2000)}`);
  t = ms();
  await call(client, name, "click", ref);
  record("click", ms() - t);
  t = ms();
  const shot = await call(client, name, "screenshot");
  if (!shot.content.some((c) => c.type === "image"))
    throw new Error(`${name}: the screenshot came back without an image`);
  record("screenshot", ms() - t);
  // Outside the round: the same page again, nothing changed since. The first screenshot also waits for Chromium
  // to paint what the click changed (Playwright's click waits for that itself); this one is the capture alone.
  t = ms();
  await call(client, name, "screenshot");
  record("screenshot again", ms() - t);
}

// Cold start, interleaved: spawn + initialize + first navigate, then close.
for (let i = 0; i < COLD; i++)
  for (const name of Object.keys(servers)) {
    const t = ms();
    const client = await connect(name);
    await call(client, name, "navigate");
    timings[name].cold.push(ms() - t);
    await client.close();
  }

const clients = Object.fromEntries(await Promise.all(Object.keys(servers).map(async (n) => [n, await connect(n)])));
for (let i = 0; i < WARMUP; i++) for (const name of Object.keys(servers)) await round(name, clients[name], () => {});
const order = Object.keys(servers);
for (let i = 0; i < ROUNDS; i++)
  for (const name of [...order.slice(i % order.length), ...order.slice(0, i % order.length)]) {
    const start = ms();
    let end = 0;
    await round(name, clients[name], (action, d) => {
      timings[name][action].push(d);
      if (action === "screenshot") end = ms();
    });
    timings[name].round.push(end - start);
  }
for (const client of Object.values(clients)) await client.close();
server.close();
await rm(site, { recursive: true, force: true });
await rm(outDir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const f = (x) => `${x.toFixed(1)} ms`;
const names = Object.keys(servers);
const ratio = (a, b, what) => `${(median(timings[a][what]) / median(timings[b][what])).toFixed(2)}×`;
await writeSection(
  "playwright-mcp",
  [
    "## Over MCP: worksite against Playwright MCP",
    "",
    provenance(`node bench/playwright-mcp/run.mjs ${ROUNDS} ${COLD}`, [
      `Chromium at ${CHROMIUM} headless for both`,
      `${ROUNDS} rounds per server after ${WARMUP} warm-up rounds, interleaved`,
      `cold start ×${COLD}`,
    ]),
    "",
    "One MCP client (the SDK's, over stdio) drives each server on the same local page as bench/browser. A round is",
    "navigate + snapshot + click (a button that does not navigate) + screenshot returned inline as image content",
    "(worksite: `browser_screenshot {inline: true}`, which also saves the artifact; worksite's calls go through the gate",
    "and the audit log). *screenshot again* (not in the round) is a second screenshot of the unchanged page, the capture",
    "alone: the first one also waits for Chromium to paint what the click changed, which Playwright's click has mostly",
    "given it time for already (its click answers with a snapshot of the page, about 100 ms later than worksite's).",
    "*cold* is spawn + initialize + the first navigate. Playwright MCP runs with",
    "`--headless --isolated --no-sandbox --executable-path /usr/bin/chromium --viewport-size 1280x800` (worksite's viewport,",
    "so both screenshots are the same 1280×800 PNG of the page; before this its default 1280×720 was measured), with",
    "`--timeout-settle 0` and with its default.",
    "",
    `| median | ${names.join(" | ")} |`,
    `|---|${names.map(() => "---:").join("|")}|`,
    ...[...ACTIONS, "screenshot again", "round", "cold"].map(
      (a) => `| ${a} | ${names.map((n) => f(median(timings[n][a]))).join(" | ")} |`,
    ),
    "",
    `- worksite / Playwright (settle off), median: round **${ratio("worksite", "playwright, settle off", "round")}**, screenshot **${ratio("worksite", "playwright, settle off", "screenshot")}** (again, page unchanged: **${ratio("worksite", "playwright, settle off", "screenshot again")}**), cold start **${ratio("worksite", "playwright, settle off", "cold")}**; ${ACTIONS.map((a) => `${a} ${ratio("worksite", "playwright, settle off", a)}`).join(", ")}`,
    `- worksite / Playwright (default settle), median: round **${ratio("worksite", "playwright, default settle", "round")}**`,
  ].join("\n"),
);
