import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readState, liveLock } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import { tempWorksite } from "../test-support/cli-harness.js";

/*
 * Issue 21 item 1, the exit codes: each stop signal ends `worksite run` as Ctrl-C does, with
 * 128 + its number. (test/stopping sends SIGTERM and SIGINT at random moments to a run with
 * Chromium; this is the plain case for each signal, SIGHUP included.)
 */

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");

const longStepWorksite = () =>
  tempWorksite(
    {
      "THREAD.md": "---\nstage: write\nagent: script\n---\n# Thread\n\n## Owns\n- src/\n",
      "GOAL.md":
        '---\nverify: []\nsteps:\n  - tool: shell.run\n    input: { command: "node -e \\"setTimeout(()=>{},60000)\\"" }\n---\n# Goal\nWait.\n',
      "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n- `shell.run(node)`\n",
    },
    "worksite-run-signals-",
  );

describe("worksite run stopped by a signal", () => {
  it.each([
    ["SIGHUP", 129],
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "%s during a command: exit %i, the round marked interrupted, the lock released, no stack trace",
    async (signal, code) => {
      const root = await longStepWorksite();
      const child = spawn(process.execPath, [bin, "run", "-w", root], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.once("close", r));
      const until = Date.now() + 30_000;
      // The command is running once its round has started and its call is on its way: wait for the state to say so.
      while (!(await readState(root)).inProgress && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      child.kill(signal);
      expect(await exited, err).toBe(code);
      expect(out).toContain("round 1 was interrupted before it finished");
      expect(err).not.toMatch(/^\s+at /m);
      expect((await readState(root)).inProgress).toMatchObject({ round: 1, interruptedAt: expect.any(String) });
      expect(await liveLock(root)).toBeUndefined();
    },
  );
});
