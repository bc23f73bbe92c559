import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";

/*
 * The browser plugin ships puppeteer-core bundled into its dist/bundle/ (plugins/browser/scripts/bundle.mjs, for
 * `worksite mcp`'s cold start, issue 13 item 4). What a person installs must drive Chromium from that bundle:
 * the packed packages are installed as scripts/install-cli.sh installs them, the installed puppeteer-core is
 * removed, and a call opens a real page while a module loader hook records every file the process loads.
 */
const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));

let home: string;
let server: Server;
let origin: string;
beforeAll(async () => {
  home = await tempDir("worksite-bundle-install-");
  await run("bash", [join(repo, "scripts/install-cli.sh")], {
    cwd: repo,
    env: { ...process.env, WORKSITE_HOME: join(home, "lib"), WORKSITE_BIN: join(home, "bin") },
  });
  server = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<title>Served to the bundle</title><p>Hello</p>"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await rm(home, { recursive: true, force: true });
});

/**
 * The environment without NODE_PATH: `pnpm exec` and pnpm's scripts point it into this checkout, where a plugin
 * would then be found before the installed one.
 */
function installedOnly(): NodeJS.ProcessEnv {
  const { NODE_PATH: _, ...env } = process.env;
  return env;
}

describe("the installed browser plugin", () => {
  it("opens a page in Chromium from its own bundle, with no puppeteer-core installed, loading neither BiDi nor the download code", async () => {
    const modules = join(home, "lib", "node_modules");
    await rm(join(modules, "puppeteer-core"), { recursive: true, force: true });
    const site = join(home, "site");
    await mkdir(site);
    await writeFile(join(site, "THREAD.md"), "---\nplugins: [browser]\nstage: write\n---\n# Bundle\n");
    await writeFile(join(site, "GOAL.md"), "## Goal\nOpen one page.\n");
    await writeFile(join(site, "PERMISSIONS.md"), `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`);
    // Every ES module the `worksite` process loads, one file URL a line.
    const trace = join(home, "loaded.txt");
    const hooks = join(home, "trace-hooks.mjs");
    await writeFile(
      hooks,
      `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(trace)}, url + "\\n");
  return next(url, context);
}
`,
    );
    const preload = join(home, "trace.mjs");
    await writeFile(
      preload,
      `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    await writeFile(trace, "");

    const { stdout } = await run(
      join(home, "bin", "worksite"),
      ["call", "browser.open", JSON.stringify({ url: `${origin}/` }), "--json", "-w", site],
      { cwd: site, env: { ...installedOnly(), NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` } },
    );
    const outcome = JSON.parse(stdout) as { status: string; result?: { content?: string } };
    expect(outcome.status).toBe("ok");
    expect(outcome.result?.content).toContain("Served to the bundle");

    const loaded = readFileSync(trace, "utf8")
      .split("\n")
      .filter((u) => u.startsWith("file:"))
      .map((u) => fileURLToPath(u));
    const bundle = join(modules, "@worksite", "plugin-browser", "dist", "bundle");
    const fromBundle = loaded.filter((f) => f.startsWith(bundle));
    expect(fromBundle).toContain(join(bundle, "index.js"));
    // No file of an installed copy of puppeteer-core or of what it imports was loaded.
    const bundledLibraries = /\/node_modules\/(puppeteer-core|@puppeteer\/browsers|chromium-bidi|ws)\//;
    expect(loaded.filter((f) => bundledLibraries.test(f))).toEqual([]);
    // Which modules the loaded chunks hold: the bundle keeps a `// <path>` line above each inlined file.
    const inlined = fromBundle.flatMap(
      (f) => readFileSync(f, "utf8").match(/^\/\/ [^\\\s]*node_modules\/\S+$/gm) ?? [],
    );
    expect(inlined.some((m) => m.includes("/puppeteer-core/lib/esm/puppeteer/cdp/"))).toBe(true);
    // The CDP path: no WebDriver BiDi, no browser download (install, HTTP with its proxy agents, unpacking).
    const offPath =
      /chromium-bidi|\/puppeteer\/bidi\/bidi\.js|\/browsers\/lib\/esm\/(install|httpUtil|fileUtil)\.js|proxy-agent|extract-zip|tar-fs/;
    expect(inlined.filter((m) => offPath.test(m))).toEqual([]);
  });
});
