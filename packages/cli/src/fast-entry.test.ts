import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/*
 * The `worksite` binary as people run it: dist/bin.js, whose fast entry is a bundle (scripts/bundle-fast.mjs),
 * built by the suite's global setup. These tests run real processes of it.
 */
const repo = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(repo, "packages/cli/dist/bin.js");
// Under the CLI's node_modules, so a plugin here imports `@worksite/core` and `zod` the way an installed one does.
const scratch = join(repo, "packages/cli/node_modules/.tmp");
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function worksite(files: Record<string, string>): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const root = await mkdtemp(join(scratch, "fast-entry-"));
  made.push(root);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, ".."), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

/** Runs the binary; with `modules`, a loader hook records every module the process loads. */
function runBin(
  argv: string[],
  cwd: string,
  modules?: string,
): Promise<{ code: number | null; out: string; err: string; loaded: () => Promise<string[]> }> {
  const hook = join(cwd, "record-modules.mjs");
  const args = modules ? ["--import", hook, bin, ...argv] : [bin, ...argv];
  const setup = modules
    ? writeFile(
        hook,
        `import { register } from "node:module";\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORDER)}`)}, import.meta.url, { data: ${JSON.stringify(modules)} });\n`,
      )
    : Promise.resolve();
  return setup.then(
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("error", reject);
        child.on("close", (code) =>
          resolve({
            code,
            out,
            err,
            loaded: async () => (modules ? (await readFile(modules, "utf8")).split("\n").filter(Boolean) : []),
          }),
        );
      }),
  );
}

/** A module loader hook (runs in the loader's thread) that appends each loaded URL to the file it is given. */
const RECORDER = `import { appendFileSync } from "node:fs";
let file;
export function initialize(data) { file = data; }
export async function load(url, context, next) { appendFileSync(file, url + "\\n"); return next(url, context); }`;

const THREAD = "---\nplugins: [browser]\nstage: write\n---\n# Keep the tests green\n";
const GOAL = "## Goal\nTidy.\n";
const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read(**)`\n- `echo.say`\n\n## Read-only\n- `browser.*`\n";

describe("the fast entry of the worksite binary", () => {
  it("answers status and permissions explain without loading the runtime, memory, the sandbox, a plugin or zod's locales", async () => {
    const root = await worksite({
      "THREAD.md": THREAD,
      "GOAL.md": GOAL,
      "PERMISSIONS.md": PERMISSIONS,
      "memory/.keep": "",
    });
    for (const argv of [["status"], ["permissions", "explain", "browser.open", "https://example.com/"], ["--help"]]) {
      const r = await runBin(argv, root, join(root, `${argv[0]}.modules`));
      expect(r.err, argv.join(" ")).toBe("");
      expect(r.code, argv.join(" ")).toBe(0);
      const loaded = await r.loaded();
      expect(
        loaded.some((u) => u.includes("/dist/fast/")),
        argv.join(" "),
      ).toBe(true);
      const heavy = loaded.filter((u) =>
        /\/runtime\/dist\/index\.js|\/memory\/dist\/|isomorphic-git|sandbox-runtime|plugin-browser|plugins\/browser|puppeteer|\/zod\/v4\/locales\/|gray-matter|\/cli\/dist\/main\.js/.test(
          u,
        ),
      );
      expect(heavy, argv.join(" ")).toEqual([]);
    }
    const explain = await runBin(["permissions", "explain", "browser.open", "https://example.com/"], root);
    expect(explain.out).toContain("tier    read-only");
    expect(explain.out).toContain("effect read (the tool)");
  });

  it("hands any other command to the plain modules, where a plugin built on @worksite/core and zod runs through the gate", async () => {
    const root = await worksite({
      "THREAD.md": '---\nplugins: ["@acme/worksite-plugin-echo"]\nstage: write\n---\n# t\n',
      "GOAL.md": GOAL,
      "PERMISSIONS.md": PERMISSIONS,
      // Installed as npm would leave it, with no manifest.json.
      "node_modules/@acme/worksite-plugin-echo/package.json": JSON.stringify({
        name: "@acme/worksite-plugin-echo",
        version: "1.0.0",
        type: "module",
        main: "index.js",
      }),
      "node_modules/@acme/worksite-plugin-echo/index.js": `import { definePlugin, defineTool } from "@worksite/core";
import { z } from "zod";
export default definePlugin({
  name: "echo",
  tools: {
    say: defineTool({
      description: "says the text back",
      effect: "read",
      input: z.object({ text: z.string().min(2, "say at least two letters") }),
      run: async (input) => ({ said: input.text }),
    }),
  },
});
`,
    });
    const ok = await runBin(["call", "echo.say", '{"text":"hello"}', "--json"], root, join(root, "call.modules"));
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('"said": "hello"');
    const loaded = await ok.loaded();
    // One @worksite/core for the plugin, the gate and the command: the installed one. Of the bundle, only the
    // entry that handed the command over (argv, help, error messages) and its output helpers were loaded.
    const bundled = loaded.filter((u) => u.includes("/dist/fast/")).map((u) => u.replace(/.*\/dist\/fast\//, ""));
    expect(bundled.filter((f) => f !== "fast-entry.js" && !/^chunks\/io-[\w-]+\.js$/.test(f))).toEqual([]);
    expect(loaded.some((u) => u.endsWith("/packages/cli/dist/main.js"))).toBe(true);

    const refused = await runBin(["call", "echo.say", '{"text":"h"}'], root);
    expect(refused.code).not.toBe(0);
    expect(`${refused.out}${refused.err}`).toContain("say at least two letters");
    expect(refused.err).not.toMatch(/\n\s+at /);

    // A plugin with no manifest: the fast explain asks the runtime, which loads the plugin for its tool's effect.
    const explain = await runBin(["permissions", "explain", "echo.say", "--json"], root);
    expect(explain.err).toBe("");
    expect(JSON.parse(explain.out)).toMatchObject({ tier: "allow", effect: "read", effectFrom: "the tool" });
  });
});
