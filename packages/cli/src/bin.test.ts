import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "./test-support/cli-harness.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
// The real `worksite` binary (what a shell pipes into `head`), built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");

/** Runs the binary with stdout piped into a reader that has already gone, like `worksite … | head -1` once head exits. */
function intoClosedPipe(
  argv: string[],
  cwd: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("the worksite binary", () => {
  it("ends quietly with exit 0 when the reader of its output has gone (EPIPE)", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\n---\n# t\n",
        "GOAL.md": "## Goal\nTidy.\n",
        "PERMISSIONS.md": "# Permissions\n",
      },
      "worksite-bin-",
    );
    expect((await runCli(["call", "file.list", "{}", "-w", root], root)).code).toBe(0);
    for (const argv of [["--help"], ["check", "-w", root], ["audit", "tail", "-w", root]]) {
      const r = await intoClosedPipe(argv, root);
      expect(r.stderr, argv.join(" ")).not.toContain("EPIPE");
      expect(r, argv.join(" ")).toEqual({ code: 0, signal: null, stderr: "" });
    }
  });
});
