import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGate, openAuditLog, parsePermissions } from "@worksite/core";
import { createComputerUsePlugin, type Driver } from "@worksite/plugin-computer-use";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../test-support/cli-harness.js";

/** A driver stand-in (no desktop here; the real X11 runs are the plugin's own tests) that records what it was asked to send. */
function recordingDriver(sent: string[]): Driver {
  const window = { id: "1", app: "Calculator", title: "Calculator" };
  return {
    platform: "x11",
    preflight: async () => {},
    screenSize: async () => ({ width: 1024, height: 768 }),
    screenshot: async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    windows: async () => [window],
    windowAt: async () => window,
    focusedWindow: async () => window,
    cursor: async () => ({ x: 0, y: 0 }),
    move: async () => void sent.push("move"),
    click: async () => void sent.push("click"),
    press: async () => void sent.push("press"),
    drag: async () => void sent.push("drag"),
    scroll: async () => void sent.push("scroll"),
    type: async () => void sent.push("type"),
    key: async () => void sent.push("key"),
    keyDown: async () => void sent.push("keyDown"),
    keyUp: async () => void sent.push("keyUp"),
    releaseAll: async () => {},
  };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("worksite computer stop", () => {
  it("stops every desktop input action until --resume, in a gate that was already running", async () => {
    const state = await mkdtemp(join(tmpdir(), "worksite-cu-state-"));
    const root = await mkdtemp(join(tmpdir(), "worksite-cu-cli-"));
    dirs.push(state, root);
    const env = { WORKSITE_STATE_DIR: state };
    const sent: string[] = [];
    const permissions = "# Permissions\n\n## Allow\n\n- `computer.*(app:Calculator)`\n";
    const gate = createGate({
      root,
      worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
      plugins: [createComputerUsePlugin({ driver: recordingDriver(sent), env, settleMs: 0 })],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-stop",
      round: 1,
    });
    expect((await gate.call({ tool: "computer.click", input: { x: 5, y: 5 } })).status).toBe("ok");
    expect(sent).toEqual(["click"]);

    const stopped = await runCli(["computer", "stop"], root, env);
    expect(stopped).toMatchObject({ code: 0, out: expect.stringContaining("desktop input stopped") });
    for (const [tool, input] of [
      ["computer.click", { x: 5, y: 5 }],
      ["computer.type", { text: "hello" }],
      ["computer.key", { keys: "Return" }],
    ] as const) {
      const outcome = await gate.call({ tool, input });
      expect(outcome.status).toBe("refused");
      expect((outcome as { message: string }).message).toContain("desktop input is stopped by the person");
    }
    expect((await gate.call({ tool: "computer.screenshot", input: {} })).status).toBe("ok");
    expect(sent).toEqual(["click"]);

    const resumed = await runCli(["computer", "stop", "--resume", "--json"], root, env);
    expect(JSON.parse(resumed.out)).toMatchObject({ stopped: false, was: true });
    expect((await gate.call({ tool: "computer.click", input: { x: 5, y: 5 } })).status).toBe("ok");
    expect(sent).toEqual(["click", "click"]);
  });
});
