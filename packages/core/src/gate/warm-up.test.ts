import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openAuditLog } from "../audit/audit-log.js";
import { definePlugin, defineTool } from "../plugin/define.js";
import { createGate } from "./gate.js";

// `worksite mcp` warms plugins up while its client's handshake runs (issue 13 item 4).
describe("warming plugins up before the first call", () => {
  it("sets a plugin up and starts it before any call, and disposing the gate ends what it started", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-warm-"));
    const log: string[] = [];
    const engine = definePlugin({
      name: "engine",
      setup: () => {
        log.push("setup");
        return () => void log.push("stopped");
      },
      warmUp: async () => {
        log.push("started");
      },
      tools: {
        go: defineTool({
          description: "go",
          effect: "read",
          input: z.object({}),
          run: async () => ({ content: "ok" }),
        }),
      },
    });
    const broken = definePlugin({
      name: "broken",
      warmUp: async () => {
        throw new Error("no engine here");
      },
      tools: {},
    });
    const gate = createGate({
      root,
      worksite: {
        permissions: {
          file: "PERMISSIONS.md",
          defaults: { read: "allow", write: "confirm", external: "confirm" },
          rules: [],
          notes: [],
        },
      },
      plugins: [engine, broken],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-1",
      round: 1,
    });
    // A plugin that cannot warm up is left for its first call to report: warming the others still works.
    await gate.warmUp();
    expect(log).toEqual(["setup", "started"]);
    expect((await gate.call({ tool: "engine.go", input: {} })).status).toBe("ok");
    expect(log).toEqual(["setup", "started"]);
    await gate.dispose();
    expect(log).toEqual(["setup", "started", "stopped"]);
  });
});
