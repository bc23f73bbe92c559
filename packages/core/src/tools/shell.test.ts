import { mkdir, readFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ToolContext } from "../plugin/types.js";
import { createArtifactStore } from "../artifacts/store.js";
import { silentLogger } from "../gate/logger.js";
import { wrapUntrusted } from "../untrusted.js";
import { shellRun } from "./shell.js";
import { tempDir } from "@worksite/test-support";

async function site() {
  const root = await tempDir("worksite-shell-");
  await mkdir(join(root, "sub"));
  return root;
}

function ctx(root: string, signal = new AbortController().signal): ToolContext {
  return {
    worksite: root,
    run: "t",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root, run: "t", round: 1, redact: (t) => t }),
    signal,
    log: silentLogger,
    untrusted: wrapUntrusted,
    redact: (t) => t.replaceAll("hunter2", "[REDACTED:test]"),
    check: async () => ({ tier: "allow", reason: "test" }),
  };
}

/** A sleep duration no other process on the machine is using, to find its processes by. */
function uniqueSleep(): string {
  return `${300 + Math.floor(Math.random() * 600)}.${String(process.pid).padStart(6, "0")}${Math.floor(Math.random() * 1e6)}`;
}

async function waitUntil(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Host pids of live processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter(
      (pid) =>
        alive(pid) &&
        (() => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
          } catch {
            return false;
          }
        })(),
    );
}

/** Whether `sleep <marker>` itself has started (the sandbox's own processes carry the marker in their arguments earlier). */
function sleeping(marker: string): boolean {
  return processesWith(marker).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8") === `sleep\0${marker}\0`;
    } catch {
      return false;
    }
  });
}

/** Running, not a zombie waiting for a reaper (a container's PID 1 may never reap). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat = "";
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(stat);
}

describe("shell.run", () => {
  it("runs a simple command without a shell, in a cwd inside the worksite, and keeps its output as an artifact", async () => {
    const root = await site();
    const result = await shellRun.run(
      { command: `node -e "console.log(process.cwd()); console.error('pw hunter2'); process.exit(3)"`, cwd: "sub" },
      ctx(root),
    );
    const data = result.data as { exitCode: number; shell: boolean; output: string };
    expect(data.exitCode).toBe(3);
    expect(data.shell).toBe(false);
    const log = await readFile(join(root, data.output), "utf8");
    expect(log).toContain(join(root, "sub"));
    expect(log).toContain("[REDACTED:test]");
    expect(log).not.toContain("hunter2");
    expect(result.content).toContain("exit code 3");
    expect(result.content).toContain("<untrusted-content");
  });

  it("runs a compound command through /bin/sh", async () => {
    const root = await site();
    const result = await shellRun.run({ command: "echo one && echo two | tr a-z A-Z" }, ctx(root));
    expect(result.content).toContain("TWO");
    expect((result.data as { shell: boolean }).shell).toBe(true);
  });

  it("a stop kills the whole process group, children included", async () => {
    const root = await site();
    const controller = new AbortController();
    const marker = uniqueSleep();
    const running = shellRun.run(
      { command: `sh -c 'sleep ${marker} & echo started > started.txt; wait'` },
      ctx(root, controller.signal),
    );
    // Inside its PID namespace the child's own pid means nothing out here: find it by its unique argument.
    await waitUntil(() => sleeping(marker), "the background sleep to start", 10_000);
    controller.abort();
    // Without the group kill the shell waits out its 30 s child, and this times out instead.
    await expect(running).rejects.toThrow(/stopped/);
    expect(processesWith(marker)).toEqual([]);
  });

  it("a stop at the moment a command starts leaves nothing of it running", async () => {
    const root = await site();
    for (const delay of [0, 5, 20, 60]) {
      const controller = new AbortController();
      const marker = uniqueSleep();
      const running = shellRun.run(
        { command: `sh -c 'setsid sleep ${marker} & sleep ${marker}'` },
        ctx(root, controller.signal),
      );
      setTimeout(() => controller.abort(), delay);
      await expect(running).rejects.toThrow(/stopped/);
      expect(processesWith(marker)).toEqual([]);
    }
  });

  it("a timeout kills the command and says so", async () => {
    const root = await site();
    const result = await shellRun.run({ command: "sleep 20", timeout: 300 }, ctx(root));
    expect((result.data as { timedOut: boolean }).timedOut).toBe(true);
    expect(result.content).toContain("timed out after 300 ms");
  });

  // No wall-clock bound (vitest prints the duration, about 2 s here); the test holds the behaviour:
  // it returns while the detached child (300 s or more) would still be sleeping, and ends it.
  it("a time limit holds against a detached child: it returns without waiting for the child, reported as timed out (never exit 0), nothing left running", async () => {
    const root = await site();
    const marker = uniqueSleep();
    const started = Date.now();
    const result = await shellRun.run({ command: `setsid sleep ${marker} & echo started`, timeout: 2000 }, ctx(root));
    expect(Date.now() - started).toBeLessThan(Number.parseInt(marker, 10) * 1000);
    const data = result.data as { timedOut: boolean; exitCode: number | null };
    expect(data.timedOut).toBe(true);
    expect(data.exitCode).toBeNull();
    expect(result.content).toContain("timed out after 2000 ms");
    expect(result.content).not.toMatch(/exit code 0/);
    expect(processesWith(marker)).toEqual([]);
  });

  it("waits for what a command started in the background, detached or not, and keeps its output", async () => {
    const root = await site();
    const result = await shellRun.run(
      {
        command: `(setsid sh -c 'sleep 0.3; echo late-detached' &) ; (sleep 0.2; echo late-child) & echo early; exit 3`,
      },
      ctx(root),
    );
    expect(result.content).toContain("exit code 3");
    expect(result.content).toMatch(/early[\s\S]*late-child[\s\S]*late-detached/);
  });

  it.each([
    "cat .worksite/audit.jsonl",
    "rm -rf .works''ite",
    `echo x > ".worksite/approvals/ap_1.json"`,
    "cd .WORKSITE",
  ])("refuses %j, which touches .worksite", async (command) => {
    const root = await site();
    await expect(shellRun.run({ command }, ctx(root))).rejects.toThrow(/\.worksite/);
  });

  it("refuses a cwd outside the worksite", async () => {
    const root = await site();
    await expect(shellRun.run({ command: "pwd", cwd: ".." }, ctx(root))).rejects.toThrow(/outside the worksite/);
  });

  it("a missing program is a clear error", async () => {
    const root = await site();
    await expect(shellRun.run({ command: "no-such-program-xyz --help" }, ctx(root))).rejects.toThrow(
      "command not found: no-such-program-xyz",
    );
  });
});
