import { describe, expect, it } from "vitest";
import { buildToolNameMap, sanitizeToolName } from "./tool-names.js";

describe("tool names offered to MCP clients", () => {
  it("offers browser.open as browser_open and maps it back", () => {
    const map = buildToolNameMap(["browser.open", "file.read"]);
    expect(map.toMcp("browser.open")).toBe("browser_open");
    expect(map.fromMcp("browser_open")).toBe("browser.open");
    expect(map.fromMcp("file_read")).toBe("file.read");
    expect(map.fromMcp("browser.open")).toBeUndefined();
  });

  it("gives two ids that clean up to the same name different names, each mapping back to its own id", () => {
    const map = buildToolNameMap(["a.b_c", "a_b.c", "a.b.c"]);
    const names = ["a.b_c", "a_b.c", "a.b.c"].map((id) => map.toMcp(id)!);
    expect(new Set(names).size).toBe(3);
    for (const id of ["a.b_c", "a_b.c", "a.b.c"]) expect(map.fromMcp(map.toMcp(id)!)).toBe(id);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it("never hands a plugin tool a name the server keeps for itself", () => {
    const map = buildToolNameMap(["thread.status"], {}, ["thread_status"]);
    expect(map.toMcp("thread.status")).not.toBe("thread_status");
    expect(map.fromMcp(map.toMcp("thread.status")!)).toBe("thread.status");
  });

  it("applies a rename such as memory.write → memory_propose", () => {
    const map = buildToolNameMap(["memory.write", "memory.read"], { "memory.write": "memory_propose" });
    expect(map.toMcp("memory.write")).toBe("memory_propose");
    expect(map.fromMcp("memory_propose")).toBe("memory.write");
  });

  it("keeps names within what strict clients accept, whatever the id", () => {
    for (const id of ["ünïcode.tool", "x".repeat(100), "...", "a b/c"])
      expect(sanitizeToolName(id)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const long = buildToolNameMap(["p.".concat("x".repeat(80)), "p_".concat("x".repeat(80))]);
    const names = long.entries().map((e) => e.name);
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
  });

  it("does not depend on the order plugins were loaded in", () => {
    const a = buildToolNameMap(["x.y_z", "x_y.z"]);
    const b = buildToolNameMap(["x_y.z", "x.y_z"]);
    expect(a.toMcp("x.y_z")).toBe(b.toMcp("x.y_z"));
    expect(a.toMcp("x_y.z")).toBe(b.toMcp("x_y.z"));
  });
});
