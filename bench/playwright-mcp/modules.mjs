// Counts the modules `worksite mcp` loads on its cold-start path (spawn + initialize + the first browser_open),
// by package, with a module loader hook in the server process (issue 13 item 4; bench/playwright-mcp/PROFILE.md).
// Run after building:  node bench/playwright-mcp/modules.mjs [STARTS]
import "../own-state.mjs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { serveBenchPage } from "../bench-page.mjs";

const STARTS = Number(process.argv[2] ?? 1);
const here = dirname(fileURLToPath(import.meta.url));
const worksiteBin = join(here, "..", "..", "packages", "cli", "dist", "bin.js");
const { server, origin, url } = await serveBenchPage();
const site = await mkdtemp(join(tmpdir(), "worksite-bench-modules-"));
await writeFile(join(site, "THREAD.md"), "---\nplugins: [browser]\nstage: write\n---\n# Bench\n");
await writeFile(join(site, "GOAL.md"), "## Goal\nCount modules.\n");
await writeFile(join(site, "PERMISSIONS.md"), `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`);

// The server process writes one line per module it loads: the time, and the file (ES modules through a loader
// hook, CommonJS through Module.prototype._compile, which every required file passes).
const trace = join(site, ".trace");
const hooks = join(site, ".hooks.mjs");
const preload = join(site, ".preload.mjs");
await writeFile(
  hooks,
  `import { appendFileSync } from "node:fs";
let out;
export async function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  const loaded = await next(url, context);
  if (url.startsWith("file:")) appendFileSync(out, Date.now() + "\\t" + url + "\\n");
  return loaded;
}
`,
);
await writeFile(
  preload,
  `import Module, { register } from "node:module";
import { appendFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const out = ${JSON.stringify(trace)};
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out } });
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  appendFileSync(out, Date.now() + "\\t" + pathToFileURL(filename).href + "\\n");
  return compile.apply(this, arguments);
};
`,
);

/** The package a file belongs to: the last node_modules segment's package, or the workspace folder. */
function packageOf(file) {
  const nm = file.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = file.slice(nm + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = file.match(/\/(packages|plugins)\/([^/]+)\//);
  return m ? `${m[1]}/${m[2]}` : file;
}

const results = [];
for (let i = 0; i < STARTS; i++) {
  await writeFile(trace, "");
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", pathToFileURL(preload).href, worksiteBin, "mcp", "-w", site],
    stderr: "ignore",
    env: { ...process.env },
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  const t0 = Date.now();
  await client.connect(transport);
  const sent = Date.now();
  const result = await client.callTool({ name: "browser_open", arguments: { url } }, undefined, { timeout: 60_000 });
  const answered = Date.now();
  if (result.isError) throw new Error(JSON.stringify(result.content).slice(0, 400));
  await client.close();
  const lines = (await readFile(trace, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"));
  const seen = new Map();
  for (const [t, u] of lines) if (!seen.has(u)) seen.set(u, Number(t));
  const before = (limit) => [...seen].filter(([, t]) => t <= limit).map(([u]) => fileURLToPath(u));
  const untilAnswer = before(answered);
  const byPackage = {};
  for (const f of untilAnswer) byPackage[packageOf(f)] = (byPackage[packageOf(f)] ?? 0) + 1;
  results.push({
    beforeCall: before(sent).length,
    untilAnswer: untilAnswer.length,
    coldMs: answered - t0,
    files: untilAnswer,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
  });
}
server.close();
await rm(site, { recursive: true, force: true });
for (const r of results)
  console.log(
    `modules before the first call ${r.beforeCall}, until its answer ${r.untilAnswer} (cold ${r.coldMs} ms with the hook)`,
  );
console.log(JSON.stringify(results.at(-1).byPackage, null, 1));
if (process.env.MODULES_LIST) await writeFile(process.env.MODULES_LIST, results.at(-1).files.join("\n"));
