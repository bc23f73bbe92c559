import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readLock } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

/*
 * Issue 21 item 3: a `run` started during a long rollback crashed with git's `index.lock: File exists`
 * and a stack trace. The rollback here is a real `worksite rollback` process on a terminal (`script`
 * gives it one), stopped at its question: it holds the thread's lock from its preview on, so the
 * `worksite run` process started meanwhile meets the lock, deterministically, not by timing.
 */

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");
const exec = promisify(execFile);

function twoRoundWorksite(): Promise<string> {
  return tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n\n## Owns\n- src/\n",
      "GOAL.md": [
        "---",
        'verify: ["node check.js"]',
        "steps:",
        "  - tool: file.write",
        '    input: { path: src/a.txt, content: "round one" }',
        "    on: first-round",
        "  - tool: file.write",
        '    input: { path: src/b.txt, content: "round two" }',
        "    on: verify-failed",
        "---",
        "# Goal",
        "Make the check pass.",
        "",
      ].join("\n"),
      "PERMISSIONS.md":
        "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run(node check.js)`\n",
      "check.js": "process.exit(require('fs').existsSync('src/b.txt') ? 0 : 1);\n",
    },
    "worksite-rollback-lock-",
  );
}

async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a run during a rollback", () => {
  it("is refused with a clear message while a rollback holds the thread, with no git index.lock error or stack trace; the rollback then completes and the next run works", async () => {
    const root = await twoRoundWorksite();
    expect((await runCli(["run"], root)).code).toBe(0);
    expect(existsSync(join(root, "src/b.txt"))).toBe(true);

    // `script` runs the rollback on a terminal of its own, so it asks, and waits for the answer on our pipe.
    const rollback = spawn("script", ["-qfec", `"${process.execPath}" "${bin}" rollback 1 -w "${root}"`, "/dev/null"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, WORKSITE_USER: "alice" },
    });
    let screen = "";
    rollback.stdout.on("data", (d: Buffer) => (screen += d.toString()));
    const exited = new Promise<number | null>((resolve) => rollback.once("exit", resolve));
    await waitFor(() => screen.includes("Restore these files?"), "the rollback's question");
    expect((await readLock(root))?.run).toBe("rollback");

    const run = await exec(process.execPath, [bin, "run", "-w", root]).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("a rollback of this thread is restoring its files now");
    expect(run.stderr).toContain("hint: wait for it to finish, then run again");
    expect(run.stderr).not.toContain("index.lock");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // The refused run changed nothing: the files are still round 2's.
    expect(existsSync(join(root, "src/b.txt"))).toBe(true);

    rollback.stdin.write("y\r");
    expect(await exited).toBe(0);
    expect(screen).toContain("restored 1 file to round 1.");
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("round one");
    expect(await readLock(root)).toBeUndefined();

    const next = await exec(process.execPath, [bin, "run", "-w", root]);
    expect(next.stdout).toContain("Round 3");
    const verified = await exec(process.execPath, [bin, "audit", "verify", "-w", root]);
    expect(verified.stdout).toMatch(/intact|ok/i);
  }, 120_000);

  it("a rollback during a run is refused with the run's name", async () => {
    const root = await twoRoundWorksite();
    expect((await runCli(["run"], root)).code).toBe(0);
    const { acquireLock } = await import("@worksite/runtime");
    const held = await acquireLock(root, "run-held-by-test");
    try {
      const refused = await runCli(["rollback", "1", "--yes"], root);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain("run run-held-by-test is working on this thread now");
      expect(existsSync(join(root, "src/b.txt"))).toBe(true);
    } finally {
      await held.release();
    }
  });
});
