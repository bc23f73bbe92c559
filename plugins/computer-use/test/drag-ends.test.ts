import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGate, openAuditLog, parsePermissions } from "@worksite/core";
import { afterAll, describe, expect, it } from "vitest";
import type { WindowInfo } from "../src/driver.js";
import { createComputerUsePlugin } from "../src/plugin.js";
import { recordingDriver } from "./recording-driver.js";

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** Two apps side by side: Files on the left half, the other on the right (a driver stand-in, not a desktop). */
function sideBySide(sent: string[], right: WindowInfo) {
  const left: WindowInfo = { id: "1", app: "Files", title: "Files" };
  return { ...recordingDriver(sent, left), windowAt: async (p: { x: number }) => (p.x < 512 ? left : right) };
}

async function gateWith(permissions: string, right: WindowInfo, sent: string[]) {
  const root = await mkdtemp(join(tmpdir(), "worksite-cu-drag-"));
  roots.push(root);
  return createGate({
    root,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
    plugins: [createComputerUsePlugin({ driver: sideBySide(sent, right), settleMs: 0, stopFile: join(root, "STOP") })],
    audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "run-drag",
    round: 1,
  });
}

const drag = {
  path: [
    { x: 100, y: 100 },
    { x: 900, y: 100 },
  ],
};

describe("a drag is decided on both its ends", () => {
  it("refuses a drag from an allowed app that ends on a forbidden one, sending nothing", async () => {
    const sent: string[] = [];
    const gate = await gateWith(
      "# Permissions\n\n## Allow\n- `computer.*(app:Files)`\n\n## Forbidden\n- `computer.*(app:Slack)`\n",
      { id: "2", app: "Slack", title: "general" },
      sent,
    );
    const outcome = await gate.call({ tool: "computer.drag", input: drag });
    expect(outcome.status).toBe("refused");
    expect(outcome.decision?.reason).toMatch(/it ends on Slack/);
    expect(sent).toEqual([]);
  });

  it("refuses a drag that ends on a terminal (the deny list), and lets one within allowed apps run", async () => {
    const sent: string[] = [];
    const toTerminal = await gateWith(
      "# Permissions\n\n## Allow\n- `computer.*`\n",
      { id: "3", app: "XTerm", title: "bash" },
      sent,
    );
    expect((await toTerminal.call({ tool: "computer.drag", input: drag })).status).toBe("refused");
    expect(sent).toEqual([]);
    const within = await gateWith(
      "# Permissions\n\n## Allow\n- `computer.*(app:Files)`\n- `computer.*(app:Finder)`\n",
      { id: "4", app: "Finder", title: "Desktop" },
      sent,
    );
    expect((await within.call({ tool: "computer.drag", input: drag })).status).toBe("ok");
    expect(sent).toEqual(["drag"]);
  });
});
