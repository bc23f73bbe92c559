import { describe, expect, it } from "vitest";
import { toolAnnotations } from "./annotations.js";

describe("annotations from a tool's effect", () => {
  it("marks a read tool read-only and not destructive", () => {
    expect(toolAnnotations({ id: "file.read", effect: "read" })).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      openWorldHint: false,
    });
  });
  it("marks a read tool that reaches URLs as open-world", () => {
    expect(toolAnnotations({ id: "browser.open", effect: "read", targetKind: "url" })).toMatchObject({
      readOnlyHint: true,
      openWorldHint: true,
    });
  });
  it("marks a local write as writing but not open-world", () => {
    expect(toolAnnotations({ id: "file.write", effect: "write", targetKind: "path" })).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    });
  });
  it("marks an external action destructive and open-world", () => {
    expect(toolAnnotations({ id: "chrome.send", effect: "external" })).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    });
  });
  it("does not call report_progress read-only: each call adds a progress note", () => {
    expect(toolAnnotations({ id: "thread.report", effect: "read" })).toEqual({
      title: "thread.report",
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    });
  });
});
