import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listWakeRecords } from "@worksite/automations";
import { liveLock, readState } from "@worksite/runtime";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");

const PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run(node)`\n";
const ONGOING = `---
verify:
  - artifact: never-made/*.txt
pause: { repeatedFailure: 1000, maxRounds: 1000 }
steps:
  - tool: file.write
    input: { path: src/note.txt, content: "looked" }
---
# Goal
Keep watch.
`;
const thread = (fm: string) => `---\nagent: script\n${fm}\n---\n# Watcher\n\n## Owns\n- src/\n`;

async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function daemon(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, "wake", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const io = { out: "", err: "" };
  child.stdout.on("data", (d: Buffer) => (io.out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (io.err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("close", r));
  return { child, io, exited };
}

describe("worksite check and wake:", () => {
  it('rejects a waking thread whose goal can never stop ("endless drifting"), at the wake: line', async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 30m"),
      "GOAL.md": "---\nverify: []\n---\n# Goal\nLook around.\n",
      "PERMISSIONS.md": PERMISSIONS,
    });
    const { code, err } = await runCli(["check", "-w", root], root);
    expect(code).toBe(1);
    expect(err).toMatch(/THREAD\.md:3:1: error: wake: 30m with no way to stop: .*\(endless drifting\)\n {2}hint: /);
    // With a budget it is fine.
    const ok = await tempWorksite({
      "THREAD.md": thread("wake: 30m"),
      "GOAL.md": "---\nverify: []\npause: { maxRounds: 10 }\n---\n# Goal\nLook around.\n",
      "PERMISSIONS.md": PERMISSIONS,
    });
    expect((await runCli(["check", "-w", ok], ok)).code).toBe(0);
  });
});

describe("worksite wake --install", () => {
  it("prints a systemd user unit that runs this worksite's wake daemon and stops it with SIGTERM", async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 30m"),
      "GOAL.md": ONGOING,
      "PERMISSIONS.md": PERMISSIONS,
    });
    const { code, out, err } = await runCli(["wake", "--install", "--platform", "linux", "-w", root], root, {
      PATH: "/usr/bin:/bin",
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^\[Unit\]\n/);
    expect(out).toContain(`ExecStart=${process.execPath} ${bin} wake --worksite ${root}\n`);
    expect(out).toContain("KillSignal=SIGTERM\n");
    expect(out).toContain("WantedBy=default.target\n");
    expect(err).toContain("systemctl --user enable --now worksite-wake.service");
  });

  it("prints a launchd agent for macOS, and --write puts it where launchd reads it", async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 30m"),
      "GOAL.md": ONGOING,
      "PERMISSIONS.md": PERMISSIONS,
    });
    const home = await tempWorksite({}, "worksite-home-");
    const printed = await runCli(["wake", "--install", "--platform", "macos", "-w", root], root, { HOME: home });
    expect(printed.out).toContain("<key>Label</key>\n  <string>dev.worksite.wake</string>");
    expect(printed.out).toContain(
      `    <string>wake</string>\n    <string>--worksite</string>\n    <string>${root}</string>`,
    );
    const written = await runCli(["wake", "--install", "--platform", "macos", "--write", "-w", root], root, {
      HOME: home,
    });
    const path = join(home, "Library", "LaunchAgents", "dev.worksite.wake.plist");
    expect(written.out).toContain(`wrote ${path}`);
    expect(await readFile(path, "utf8")).toBe(printed.out);
  });
});

describe("worksite wake, the daemon, in real (short) time", () => {
  it("wakes a thread every second; inbox lists each result and status shows the next and last wake", async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 1s"),
      "GOAL.md": ONGOING,
      "PERMISSIONS.md": PERMISSIONS,
    });
    const d = daemon(["-w", root]);
    await until(async () => (await listWakeRecords(root)).filter((r) => r.outcome === "continued").length >= 3);
    d.child.kill("SIGTERM");
    expect(await d.exited, d.io.err).toBe(143);
    const records = (await listWakeRecords(root)).filter((r) => r.outcome === "continued");
    const inbox = await runCli(["inbox", "-w", root], root);
    for (const r of records) expect(inbox.out).toContain(`${r.scheduledFor}  continued`);
    expect(inbox.out).toContain(`round ${records[0]!.round} · PROGRESS.md#round-${records[0]!.round}`);
    const status = await runCli(["status", "-w", root, "--json"], root);
    expect(JSON.parse(status.out)).toMatchObject({
      nextWake: expect.stringMatching(/^\d{4}-.*Z \(wake: 1s\)$/),
      lastWake: { outcome: expect.any(String) },
    });
    await runCli(["inbox", "-w", root, "--read"], root);
    expect((await runCli(["inbox", "-w", root], root)).out).toMatch(/^no unread wake results/);
  });

  it("SIGTERM during a wake's round interrupts it cleanly: exit 143, round marked interrupted, lock released, result recorded", async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 1s"),
      "GOAL.md":
        '---\nverify:\n  - artifact: never/*.txt\npause: { maxRounds: 100 }\nsteps:\n  - tool: shell.run\n    input: { command: "node -e \\"setTimeout(()=>{},60000)\\"" }\n---\n# Goal\nWait.\n',
      "PERMISSIONS.md": PERMISSIONS,
    });
    const d = daemon(["-w", root]);
    await until(async () => (await readState(root)).inProgress !== undefined);
    d.child.kill("SIGTERM");
    expect(await d.exited, d.io.err).toBe(143);
    expect(d.io.err).not.toMatch(/^\s+at /m);
    expect((await readState(root)).inProgress).toMatchObject({ round: 1, interruptedAt: expect.any(String) });
    expect(await liveLock(root)).toBeUndefined();
    expect((await listWakeRecords(root)).map((r) => r.outcome)).toContain("interrupted");
  });

  it("a promotion the daemon proposes shows in `worksite approvals`, and `worksite approve` changes stage:", async () => {
    const root = await tempWorksite({
      "THREAD.md": thread("wake: 1s\nstage: monitor\nrollout: { monitor: 2 clean wakes }"),
      "GOAL.md": ONGOING,
      "PERMISSIONS.md": PERMISSIONS,
    });
    const d = daemon(["-w", root]);
    await until(async () => (await runCli(["approvals", "-w", root], root)).out.includes("thread.promote"));
    d.child.kill("SIGTERM");
    await d.exited;
    const listed = await runCli(["approvals", "-w", root, "--json"], root);
    const promotion = JSON.parse(listed.out).approvals.find((a: { tool: string }) => a.tool === "thread.promote");
    expect(promotion).toMatchObject({ target: "stage monitor → draft", requestedBy: "automation", status: "pending" });
    const approved = await runCli(["approve", promotion.id, "-w", root], root, { WORKSITE_USER: "ana" });
    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toContain("THREAD.md now says stage: draft (was monitor)");
    expect(await readFile(join(root, "THREAD.md"), "utf8")).toMatch(/^stage: draft$/m);
  });
});
