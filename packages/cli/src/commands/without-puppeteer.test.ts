import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempWorksite } from "../test-support/cli-harness.js";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const bin = join(repo, "packages/cli/dist/bin.js");

/**
 * The real `worksite` process, with a module hook that makes puppeteer-core unresolvable: the
 * commands that only need to know the browser's tools must never reach for it (issue 13 item 3).
 */
async function withoutPuppeteer(root: string) {
  const hook = join(root, "no-puppeteer-hook.mjs");
  await writeFile(
    hook,
    `export async function resolve(specifier, context, next) {
  if (specifier === "puppeteer-core" || specifier.startsWith("puppeteer-core/"))
    throw new Error("puppeteer-core is unresolvable in this test");
  return next(specifier, context);
}\n`,
  );
  const register = join(root, "no-puppeteer.mjs");
  await writeFile(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hook}`)});\n`,
  );
  return (...argv: string[]) =>
    run(process.execPath, ["--import", register, bin, ...argv, "-w", root], { cwd: root, env: process.env }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );
}

describe("commands that only read the browser's tools, on a machine where puppeteer-core cannot load", () => {
  it("check, call --list, permissions explain, status and --help all work, and know browser.open is a read", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nplugins: [browser]\n---\n# No puppeteer\n",
        "GOAL.md": "## Goal\nx\n",
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `browser.open(https://*.example.com/**)`\n",
      },
      "worksite-no-puppeteer-",
    );
    const worksite = await withoutPuppeteer(root);
    const check = await worksite("check");
    expect(check.err).not.toContain("puppeteer");
    expect(check.code).toBe(0);
    const list = await worksite("call", "--list");
    expect(list.code).toBe(0);
    expect(list.out).toContain("browser.open");
    const explain = await worksite("permissions", "explain", "browser.open", "https://app.example.com/");
    expect(explain.code).toBe(0);
    expect(explain.out).toContain("effect read (the tool)");
    expect((await worksite("status")).code).toBe(0);
    expect((await worksite("--help")).code).toBe(0);
  });
});
