import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGate, openAuditLog, parsePermissions } from "@worksite/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "./driver.js";
import { createComputerUsePlugin } from "./plugin.js";

/*
 * Bad input never reaches a driver: a driver stand-in (not a real desktop)
 * that fails the test if any of its methods is called sits behind the real gate.
 */
const touched: string[] = [];
const untouchable = new Proxy({} as Driver, {
  get(_t, name) {
    if (name === "platform") return "x11";
    return async () => {
      touched.push(String(name));
      throw new Error(`driver.${String(name)} was called`);
    };
  },
});

let root: string;
let gate: ReturnType<typeof createGate>;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worksite-cu-limits-"));
  const permissions = "# Permissions\n\n## Allow\n\n- `computer.*`\n";
  gate = createGate({
    root,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
    plugins: [createComputerUsePlugin({ driver: untouchable, stopFile: join(root, "STOP") })],
    audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
    actor: "agent",
    run: "run-limits",
    round: 1,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("input the model may not send", () => {
  const cases: [string, string, unknown, RegExp][] = [
    ["a key that reads as an xdotool option", "computer.key", { keys: "--help" }, /not a key name/],
    ["a key with shell syntax", "computer.key", { keys: "ctrl+$(id)" }, /not a key name/],
    ["a second xdotool command hidden in a key", "computer.key", { keys: "Return;type" }, /not a key name/],
    ["a chord with two keys", "computer.key", { keys: "ctrl+a+b" }, /names two keys/],
    ["a huge repeat count", "computer.key", { keys: "Return", repeat: 100000 }, /repeat/],
    ["a hold of minutes", "computer.key", { keys: "shift", holdMs: 600000 }, /holdMs/],
    ["too many clicks", "computer.click", { x: 1, y: 1, clicks: 50 }, /clicks/],
    ["a negative coordinate", "computer.click", { x: -5, y: 1 }, /x/],
    ["a fractional coordinate", "computer.click", { x: 1.5, y: 1 }, /x/],
    ["a scroll of thousands", "computer.scroll", { x: 1, y: 1, direction: "down", amount: 5000 }, /amount/],
    ["a wait of an hour", "computer.wait", { ms: 3_600_000 }, /ms/],
    ["a novel to type", "computer.type", { text: "a".repeat(5000) }, /text/],
    ["an unknown option", "computer.click", { x: 1, y: 1, shell: "rm -rf ~" }, /shell/],
    ["a drag path of hundreds of points", "computer.drag", { path: Array(500).fill({ x: 1, y: 1 }) }, /path/],
  ];
  for (const [what, tool, input, message] of cases)
    it(`refuses ${what} before any driver call`, async () => {
      const outcome = await gate.call({ tool, input });
      expect(outcome.status).toBe("error");
      expect((outcome as { message: string }).message).toMatch(message);
      expect(touched).toEqual([]);
    });
});
