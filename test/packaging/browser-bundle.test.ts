import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";

/*
 * The browser plugin ships puppeteer-core bundled into its dist/bundle/, and @worksite/mcp the MCP SDK into its own
 * (scripts/bundle-package.mjs, for `worksite mcp`'s cold start, issue 13 item 4). What a person installs must run
 * from those bundles: the packed packages are installed as scripts/install-cli.sh installs them, the installed
 * puppeteer-core is removed, and real pages are opened while a module loader hook records every file loaded.
 */
const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));

let home: string;
let modules: string;
let site: string;
let server: Server;
let origin: string;
beforeAll(async () => {
  home = await tempDir("worksite-bundle-install-");
  await run("bash", [join(repo, "scripts/install-cli.sh")], {
    cwd: repo,
    env: { ...process.env, WORKSITE_HOME: join(home, "lib"), WORKSITE_BIN: join(home, "bin") },
  });
  modules = join(home, "lib", "node_modules");
  await rm(join(modules, "puppeteer-core"), { recursive: true, force: true });
  server = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<title>Served to the bundle</title><p>Hello</p>"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site = join(home, "site");
  await mkdir(site);
  await writeFile(join(site, "THREAD.md"), "---\nplugins: [browser]\nstage: write\n---\n# Bundle\n");
  await writeFile(join(site, "GOAL.md"), "## Goal\nOpen one page.\n");
  await writeFile(join(site, "PERMISSIONS.md"), `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`);
});
afterAll(async () => {
  server?.close();
  await rm(home, { recursive: true, force: true });
});

/**
 * The environment the installed `worksite` runs in, with a module loader hook writing every ES module it loads
 * to a file, and the reader of that file. No NODE_PATH: `pnpm exec` and pnpm's scripts point it into this
 * checkout, where a plugin would then be found before the installed one.
 */
async function traced(name: string): Promise<{ env: NodeJS.ProcessEnv; loaded: () => string[] }> {
  const trace = join(home, `${name}.loaded.txt`);
  const hooks = join(home, `${name}.hooks.mjs`);
  await writeFile(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(trace)}, url + "\\n");
  return next(url, context);
}
`,
  );
  const preload = join(home, `${name}.trace.mjs`);
  await writeFile(
    preload,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  await writeFile(trace, "");
  const { NODE_PATH: _, ...env } = process.env;
  return {
    env: { ...env, NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` },
    loaded: () =>
      readFileSync(trace, "utf8")
        .split("\n")
        .filter((u) => u.startsWith("file:"))
        .map((u) => fileURLToPath(u)),
  };
}

/** The `// <path>` lines a bundle keeps above each inlined file: which modules the given chunks hold. */
const inlinedIn = (files: string[]) =>
  files.flatMap((f) => readFileSync(f, "utf8").match(/^\/\/ [^\\\s]*node_modules\/\S+$/gm) ?? []);
const bundleOf = (pkg: string) => join(modules, "@worksite", pkg, "dist", "bundle");

describe("the installed browser plugin", () => {
  it("opens a page in Chromium from its own bundle, with no puppeteer-core installed, loading neither BiDi nor the download code", async () => {
    const { env, loaded } = await traced("call");
    const { stdout } = await run(
      join(home, "bin", "worksite"),
      ["call", "browser.open", JSON.stringify({ url: `${origin}/` }), "--json", "-w", site],
      { cwd: site, env },
    );
    const outcome = JSON.parse(stdout) as { status: string; result?: { content?: string } };
    expect(outcome.status).toBe("ok");
    expect(outcome.result?.content).toContain("Served to the bundle");

    const bundle = bundleOf("plugin-browser");
    const fromBundle = loaded().filter((f) => f.startsWith(bundle));
    expect(fromBundle).toContain(join(bundle, "index.js"));
    // No file of an installed copy of puppeteer-core or of what it imports was loaded.
    const bundledLibraries = /\/node_modules\/(puppeteer-core|@puppeteer\/browsers|chromium-bidi|ws)\//;
    expect(loaded().filter((f) => bundledLibraries.test(f))).toEqual([]);
    const inlined = inlinedIn(fromBundle);
    expect(inlined.some((m) => m.includes("/puppeteer-core/lib/esm/puppeteer/cdp/"))).toBe(true);
    // The CDP path: no WebDriver BiDi, no browser download (install, HTTP with its proxy agents, unpacking).
    const offPath =
      /chromium-bidi|\/puppeteer\/bidi\/bidi\.js|\/browsers\/lib\/esm\/(install|httpUtil|fileUtil)\.js|proxy-agent|extract-zip|tar-fs/;
    expect(inlined.filter((m) => offPath.test(m))).toEqual([]);
  });

  it("serves browser_open over `worksite mcp` from the installed bundles, with Chromium started early", async () => {
    const { env, loaded } = await traced("mcp");
    const child = spawn(join(home, "bin", "worksite"), ["mcp", "-w", site], { cwd: site, env });
    const lines = createInterface({ input: child.stdout });
    const answers = new Map<number, (message: { result?: { content?: { text?: string }[] } }) => void>();
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { id?: number };
      if (message.id !== undefined) answers.get(message.id)?.(message);
    });
    const request = (id: number, method: string, params: unknown) =>
      new Promise<{ result?: { content?: { text?: string }[] } }>((resolve) => {
        answers.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
      });
    try {
      await request(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "packaging-test", version: "1.0.0" },
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
      const opened = await request(2, "tools/call", { name: "browser_open", arguments: { url: `${origin}/` } });
      expect(opened.result?.content?.map((c) => c.text).join("\n")).toContain("Served to the bundle");
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    }
    const files = loaded();
    expect(files).toContain(join(bundleOf("mcp"), "index.js"));
    expect(files).toContain(join(bundleOf("plugin-browser"), "early-start.js"));
    // The SDK and its validator came from @worksite/mcp's bundle, not from their installed files.
    expect(
      files.filter((f) => /\/node_modules\/(@modelcontextprotocol\/sdk|ajv|zod-to-json-schema)\//.test(f)),
    ).toEqual([]);
  });
});
