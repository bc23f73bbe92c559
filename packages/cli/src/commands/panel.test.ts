import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const bin = join(repo, "packages/cli/dist/bin.js");

const worksite = () =>
  tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Panel thread\n\n## Owns\n- src/\n",
      "GOAL.md": "# Goal\nBe looked at.\n",
      "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n",
    },
    "worksite-panel-cli-",
  );

describe("worksite panel", () => {
  it("serves on loopback, prints a login link that works once, and stops cleanly on SIGTERM", async () => {
    const root = await worksite();
    const child = spawn(process.execPath, [bin, "panel", "-w", root, "--no-open", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
    });
    const deadline = Date.now() + 30_000;
    while (!out.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const { origin, login } = JSON.parse(out.split("\n")[0]!) as { origin: string; login: string };
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(login, { redirect: "manual" })).status).toBe(303);
    expect((await fetch(login, { redirect: "manual" })).status).toBe(401);
    // `worksite run` in another terminal names the running panel.
    const run = await runCli(["run", "--rounds", "1"], root);
    expect(run.out).toContain(`panel: ${origin}/`);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("a bad --port is a clear error, not a stack trace", async () => {
    const root = await worksite();
    const result = await runCli(["panel", "--port", "http", "--no-open"], root);
    expect(result.code).toBe(1);
    expect(result.err).toContain("--port needs a whole number from 0 to 65535");
    expect(result.err).not.toMatch(/\n\s+at /);
  });
});
