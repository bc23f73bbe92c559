import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { sendMessage } from "./inbox.js";
import { readLock } from "./lock.js";
import {
  auditEntries,
  goal,
  makeWorksite,
  permissions,
  progressHeadings,
  readProgress,
  readState,
  removeWorksites,
  verifyAudit,
  waitFor,
} from "./test-helpers/worksite.js";

const REPO = join(import.meta.dirname, "..", "..", "..");
// The real `worksite` binary, built (with the runtime under test) by the suite's global setup.
const BIN = join(REPO, "packages", "cli", "dist", "bin.js");

afterAll(async () => {
  await removeWorksites();
});

/** Sleeps 20 s when SLOW is set (the run that gets killed), then marks the work done. */
const LONG = `const fs = require("fs");
fs.writeFileSync("long.pid", String(process.pid));
const finish = () => { fs.mkdirSync("src", { recursive: true }); fs.writeFileSync("src/done.txt", "done"); };
if (process.env.SLOW) setTimeout(finish, 20000); else finish();
`;

/** Host pids of processes whose working folder is `root` (the pid a sandboxed step writes is its namespace's, not ours). */
function processesIn(root: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === root;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A complete PROGRESS.md section ends with the report's last part; a torn one would not. */
function sectionsOf(progress: string): string[] {
  return progress.split(/^(?=## Round \d+ — )/m).filter((s) => s.startsWith("## Round "));
}

describe("a run killed mid-round", () => {
  it("is recovered by the next run: the lock is taken over, the audit chain verifies, and the round is redone once", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node check.js"]
pause: { maxRounds: 4 }
steps:
  - tool: shell.run
    input: { command: "node long.js" }
    on: verify-failed
`),
      permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node)"] }),
      files: {
        "long.js": LONG,
        "check.js": "process.exit(require('fs').existsSync('src/done.txt') ? 0 : 1);\n",
        "memory/MEMORY.md": "# Memory\n\n- the cart test is slow\n",
      },
    });
    const memoryBefore = await readFile(join(root, "memory/MEMORY.md"), "utf8");
    // Round 1 takes the first instruction, round 2 the second; the kill must not lose it.
    await sendMessage(root, "queue", 'file.read {"path":"check.js"}', "person:test");
    const second = await sendMessage(root, "queue", 'file.read {"path":"long.js"}', "person:test");

    const child = spawn(process.execPath, [BIN, "run", "-w", root], {
      env: { ...process.env, SLOW: "1" },
      stdio: "ignore",
    });
    // Round 1 fails verification; round 2 starts the long fix step: that is mid-round.
    await waitFor(
      async () => (await readState(root)).inProgress?.round === 2 && existsSync(join(root, "long.pid")),
      "round 2's long step to start",
    );
    const killed = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid!, "SIGKILL");
    await killed;
    // The step ran in the sandbox, whose PID namespace is tied to the run: it ends with the killed run and cannot finish the work later.
    await waitFor(() => processesIn(root).length === 0, "the killed run's step to end with it");

    // What the killed run left: a lock of a dead process, a round in progress, round 1 reported whole, round 2 not at all.
    expect((await readLock(root))?.pid).toBe(child.pid);
    const dead = await readState(root);
    expect(dead).toMatchObject({ round: 1, inProgress: { round: 2, taken: [second.id] } });
    const interruptedRun = dead.inProgress!.run;
    expect(await progressHeadings(root)).toHaveLength(1);
    expect(sectionsOf(await readProgress(root))[0]).toContain("### Next step");
    expect((await verifyAudit(root)).ok).toBe(true);

    const { stdout } = await promisify(execFile)(process.execPath, [BIN, "run", "-w", root], {
      env: { ...process.env, SLOW: "" },
    });
    expect(stdout).toContain("done: verification passed");

    const entries = await auditEntries(root);
    expect(
      entries.some(
        (e) =>
          e.type === "run" && e.message === `took over the lock of run ${interruptedRun} (pid ${child.pid} is gone)`,
      ),
    ).toBe(true);
    expect(
      entries.some(
        (e) =>
          e.type === "run" &&
          e.round === 2 &&
          e.message === `round 2 was interrupted (run ${interruptedRun}); redoing it`,
      ),
    ).toBe(true);
    // The instruction the killed round took went back, and the redo took it again.
    const inbox = entries.filter((e) => e.type === "inbox").map((e) => e.message);
    expect(inbox).toContain(`queued instruction put back for the redo of round 2: ${second.text}`);
    expect(inbox.filter((m) => m === `queued instruction taken: ${second.text}`)).toHaveLength(2);
    expect(await verifyAudit(root)).toMatchObject({ ok: true });
    expect(await readLock(root)).toBeUndefined();

    const state = await readState(root);
    expect(state).toMatchObject({ round: 2, state: "done" });
    expect(state.inProgress).toBeUndefined();
    const progress = await readProgress(root);
    const headings = await progressHeadings(root);
    expect(headings.map((h) => /^## Round (\d+)/.exec(h)![1])).toEqual(["1", "2"]);
    for (const section of sectionsOf(progress)) expect(section).toMatch(/### Next step\n.+\n\n### Artifacts\n/);
    expect(await readFile(join(root, "memory/MEMORY.md"), "utf8")).toBe(memoryBefore);
    // No temp file of a half-done atomic write is left beside PROGRESS.md, the state or memory.
    const leftovers = [
      ...(await readdir(root)),
      ...(await readdir(join(root, ".worksite"))),
      ...(await readdir(join(root, "memory"))),
    ].filter((n) => n.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  }, 60_000);
});
