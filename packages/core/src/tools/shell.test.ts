import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ToolContext } from "../plugin/types.js";
import { createArtifactStore } from "../artifacts/store.js";
import { silentLogger } from "../gate/logger.js";
import { wrapUntrusted } from "../untrusted.js";
import { shellRun } from "./shell.js";

async function site() {
  const root = await mkdtemp(join(tmpdir(), "worksite-shell-"));
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
    const result = await shellRun.run({ command: `node -e "console.log(process.cwd()); console.error('pw hunter2'); process.exit(3)"`, cwd: "sub" }, ctx(root));
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
    const pidFile = join(root, "child.pid");
    const running = shellRun.run({ command: `sh -c 'sleep 30 & echo $! > ${pidFile}; wait'` }, ctx(root, controller.signal));
    let childPid = 0;
    for (let i = 0; i < 100 && !childPid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      childPid = Number(await readFile(pidFile, "utf8").catch(() => "0"));
    }
    expect(childPid).toBeGreaterThan(0);
    expect(alive(childPid)).toBe(true);
    controller.abort();
    // Without the group kill the shell waits out its 30 s child, and this times out instead.
    await expect(running).rejects.toThrow(/stopped/);
    // The grandchild gets SIGKILL with the group; poll for it to be gone, with a generous deadline.
    for (let i = 0; i < 200 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(childPid)).toBe(false);
  });

  it("a timeout kills the command and says so", async () => {
    const root = await site();
    const result = await shellRun.run({ command: "sleep 20", timeout: 300 }, ctx(root));
    expect((result.data as { timedOut: boolean }).timedOut).toBe(true);
    expect(result.content).toContain("timed out after 300 ms");
  });

  it.each(["cat .worksite/audit.jsonl", "rm -rf .works''ite", `echo x > ".worksite/approvals/ap_1.json"`, "cd .WORKSITE"])("refuses %j, which touches .worksite", async (command) => {
    const root = await site();
    await expect(shellRun.run({ command }, ctx(root))).rejects.toThrow(/\.worksite/);
  });

  it("refuses a cwd outside the worksite", async () => {
    const root = await site();
    await expect(shellRun.run({ command: "pwd", cwd: ".." }, ctx(root))).rejects.toThrow(/outside the worksite/);
  });

  it("a missing program is a clear error", async () => {
    const root = await site();
    await expect(shellRun.run({ command: "no-such-program-xyz --help" }, ctx(root))).rejects.toThrow("command not found: no-such-program-xyz");
  });
});
