import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPairingStore } from "@worksite/plugin-chrome";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

async function setup() {
  const root = await tempWorksite({
    "THREAD.md": "---\nplugins: [chrome]\n---\n# t\n",
    "PERMISSIONS.md": "# Permissions\n",
  });
  const env = { WORKSITE_STATE_DIR: await mkdtemp(join(tmpdir(), "worksite-chrome-cli-state-")) };
  return { root, env, cli: (...argv: string[]) => runCli(argv, root, env) };
}

describe("worksite chrome connect | status | forget", () => {
  it("status says a fresh worksite is not paired and names the command that pairs it", async () => {
    const { cli } = await setup();
    const r = await cli("chrome", "status");
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining("chrome: not paired") });
    expect(r.out).toContain("worksite chrome connect");
  });

  it("connect prints where the extension is and the connect page, then says why it is not paired when nobody allows", async () => {
    const { cli } = await setup();
    const r = await cli("chrome", "connect", "--timeout", "1");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Load unpacked → choose\n\s+\/.*plugins\/chrome\/extension\n/);
    expect(r.out).toMatch(
      /chrome-extension:\/\/poidfalhldbcnhcpeagkmiagjocjmgok\/connect\.html\?relay=ws%3A%2F%2F127\.0\.0\.1/,
    );
    expect(r.err).toContain("not paired: waiting for the extension");
    expect(r.err).toContain("the extension is not loaded");
  });

  it("check warns that a DevTools endpoint in THREAD.md is an open door for any local program", async () => {
    const root = await tempWorksite({
      "THREAD.md": "---\nchrome: { browserUrl: http://127.0.0.1:9222 }\n---\n# t\n",
      "GOAL.md": "## Goal\nx\n",
      "PERMISSIONS.md": "# Permissions\n",
    });
    const r = await runCli(["check"], root, {
      WORKSITE_STATE_DIR: await mkdtemp(join(tmpdir(), "worksite-chrome-cli-state-")),
    });
    expect(r.out + r.err).toMatch(
      /THREAD\.md:2: warning: chrome: browserUrl http:\/\/127\.0\.0\.1:9222 uses Chrome's open debugging port/,
    );
  });

  it("status names each state a running relay leaves (written as a live relay of this process would) and its next step", async () => {
    const { root, env, cli } = await setup();
    const store = openPairingStore(root, env);
    store.issue();
    const connectUrl =
      "chrome-extension://poidfalhldbcnhcpeagkmiagjocjmgok/connect.html?relay=ws%3A%2F%2F127.0.0.1%3A1";
    const states: [Parameters<typeof store.writeStatus>[0], string, string][] = [
      [
        { state: "connected", connectUrl },
        "chrome: connected",
        'share tabs by putting them in the "worksite" tab group',
      ],
      [{ state: "waiting", connectUrl }, "chrome: waiting for the extension", `open ${connectUrl} in Chrome`],
      [
        {
          state: "waiting",
          connectUrl,
          reason:
            "this worksite's relay address 127.0.0.1:4 is taken by another program (no process of this worksite holds it); this run's relay is at a new address the extension does not know yet",
        },
        "chrome: waiting for the extension (this worksite's relay address 127.0.0.1:4 is taken by another program",
        `open ${connectUrl} in Chrome`,
      ],
      [
        { state: "refused", connectUrl, reason: "token refused: this worksite's pairing does not match" },
        "chrome: token refused: this worksite's pairing does not match",
        "click Allow to pair anew",
      ],
      [
        { state: "stopped", connectUrl, reason: "stopped by the person in the extension popup" },
        "chrome: stopped: stopped by the person in the extension popup",
        `open ${connectUrl} in Chrome to connect again`,
      ],
      [
        { state: "closed", connectUrl },
        "chrome: paired, no run is using Chrome now",
        "the next run connects by itself",
      ],
    ];
    for (const [status, state, next] of states) {
      store.writeStatus(status);
      const r = await cli("chrome", "status");
      expect(r.out, JSON.stringify(status)).toContain(`${state}`);
      expect(r.out).not.toMatch(/token refused: token refused/);
      expect(r.out, JSON.stringify(status)).toContain(next);
    }
  });

  it("forget revokes a pairing, and status says so", async () => {
    const { root, env, cli } = await setup();
    openPairingStore(root, env).issue();
    expect((await cli("chrome", "status")).out).toContain("chrome: paired, no run is using Chrome now");
    expect((await cli("chrome", "forget")).out).toContain("Forgot the pairing");
    expect(openPairingStore(root, env).has()).toBe(false);
    expect((await cli("chrome", "status")).out).toContain("chrome: not paired");
  });
});
