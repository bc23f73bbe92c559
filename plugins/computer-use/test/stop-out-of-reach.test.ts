import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { approve, corePlugins, createGate, openAuditLog, parsePermissions, stopSandboxRuntime } from "@worksite/core";
import { afterAll, describe, expect, it } from "vitest";
import { createComputerUsePlugin } from "../src/plugin.js";
import { stopFilePath, stopInput } from "../src/stop-switch.js";
import { recordingDriver } from "./recording-driver.js";

const roots: string[] = [];
afterAll(async () => {
  await stopSandboxRuntime();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe("the kill switch is out of the agent's reach", () => {
  it("an agent allowed every shell command cannot remove the stop file, and input stays stopped", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-cu-reach-"));
    roots.push(root);
    const stop = stopFilePath();
    await stopInput(stop, "person:test");
    const sent: string[] = [];
    const permissions = "# Permissions\n\n## Allow\n\n- `shell.run`\n- `computer.*`\n";
    const gate = createGate({
      root,
      worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
      plugins: [...corePlugins(), createComputerUsePlugin({ driver: recordingDriver(sent), settleMs: 0 })],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-reach",
      round: 1,
    });
    // Named outright: the floor no rule can lower refuses them before they run.
    for (const command of [
      `rm -f ${stop}`,
      `sh -c 'mv ${stop} ${root}/moved'`,
      `sh -c ': > ${stop}.x && rm -rf ${join(stop, "..")}'`,
    ]) {
      const outcome = await gate.call({ tool: "shell.run", input: { command } });
      expect(outcome.status).toBe("refused");
      expect(existsSync(stop)).toBe(true);
    }
    // Hidden from the floor (the path decoded at run time), and even approved by a person: it runs, and the OS sandbox holds.
    const hidden = Buffer.from(stop).toString("base64");
    const call = { tool: "shell.run", input: { command: `sh -c 'rm -f "$(echo ${hidden} | base64 -d)"; echo rc=$?'` } };
    const asked = await gate.call(call);
    expect(asked.status).toBe("pending-approval");
    await approve(root, (asked as { approvalId: string }).approvalId, { by: "person:test" });
    const ran = await gate.call(call);
    expect(ran.status).toBe("ok");
    expect(existsSync(stop)).toBe(true);
    const click = await gate.call({ tool: "computer.click", input: { x: 1, y: 1 } });
    expect(click.status).toBe("refused");
    // Nothing was sent; whatever was held down was let go.
    expect(sent.filter((s) => s !== "releaseAll")).toEqual([]);
    expect(sent).toContain("releaseAll");
  });
});
