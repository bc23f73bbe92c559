import { describe, expect, it } from "vitest";
import type { Decision } from "@worksite/core";
import { outcomeToResult } from "./call-tool.js";

const forbidden: Decision = {
  tier: "forbidden",
  rule: { text: "shell.run(rm -rf)", file: "PERMISSIONS.md", line: 5 },
  reason: "matches a forbidden rule",
};

describe("gate outcomes as MCP results (stub gate outcomes)", () => {
  it("returns a screenshot asked for inline as image content after the text naming its saved file", () => {
    const result = outcomeToResult({
      status: "ok",
      tool: "browser.screenshot",
      decision: { tier: "read-only", reason: "read" },
      result: {
        content: "Saved a screenshot to artifacts/round-1/s.png.",
        artifacts: [{ path: "artifacts/round-1/s.png", kind: "screenshot", round: 1, run: "r", created: "now" }],
        images: [{ data: "iVBORw0KGgo=", mimeType: "image/png" }],
      },
      auditSeq: 4,
    });
    expect(result.content.map((c) => c.type)).toEqual(["text", "image"]);
    expect(result.content[1]).toEqual({ type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" });
    expect((result.content[0] as { text: string }).text).toContain("artifacts: artifacts/round-1/s.png");
  });

  it("turns a refusal into a tool error that names the rule's file and line", () => {
    const result = outcomeToResult({
      status: "refused",
      tool: "shell.run",
      decision: forbidden,
      message: "no",
      auditSeq: 3,
    });
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({ type: "text" });
    expect((result.content[0] as { text: string }).text).toContain("PERMISSIONS.md:5");
    expect(result.structuredContent).toMatchObject({ status: "refused", rule: { line: 5 } });
  });

  it("keeps the gate's own wording when it already names the rule", () => {
    const message = "refused by PERMISSIONS.md:5 `shell.run(rm -rf)`: matches a forbidden rule";
    const result = outcomeToResult({ status: "refused", tool: "shell.run", decision: forbidden, message, auditSeq: 3 });
    expect((result.content[0] as { text: string }).text).toBe(`shell.run: ${message}`);
  });

  it("returns a draft's artifact path and is not an error", () => {
    const result = outcomeToResult({
      status: "drafted",
      tool: "shell.run",
      decision: { tier: "draft", reason: "r" },
      draftId: "dr_1",
      message: "drafted, nothing was sent",
      draft: { path: "artifacts/round-1/dr_1-shell.run.json", kind: "draft", round: 1, run: "r1", created: "now" },
      auditSeq: 4,
    });
    expect(result.isError).toBeUndefined();
    expect((result.content[0] as { text: string }).text).toContain("artifacts/round-1/dr_1-shell.run.json");
    expect(result.structuredContent).toMatchObject({
      status: "drafted",
      draft: "artifacts/round-1/dr_1-shell.run.json",
      draftId: "dr_1",
    });
  });

  it("lists the artifacts of a successful call", () => {
    const result = outcomeToResult({
      status: "ok",
      tool: "shell.run",
      decision: { tier: "allow", reason: "r" },
      auditSeq: 1,
      result: {
        content: "done",
        artifacts: [{ path: "artifacts/round-1/out.log", kind: "log", round: 1, run: "r", created: "now" }],
      },
    });
    expect(result.isError).toBeUndefined();
    expect((result.content[0] as { text: string }).text).toContain("artifacts/round-1/out.log");
  });
});
