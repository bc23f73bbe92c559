import { describe, expect, it } from "vitest";
import { isWebUrl, normalizeUrl } from "./url.js";

describe("addresses the agent types", () => {
  it("assumes https for a bare host and http for localhost", () => {
    expect(normalizeUrl("example.com/docs")).toBe("https://example.com/docs");
    expect(normalizeUrl("localhost:3000")).toBe("http://localhost:3000/");
    expect(normalizeUrl("127.0.0.1:8080/a")).toBe("http://127.0.0.1:8080/a");
  });

  it("keeps other schemes as written so a rule must name them", () => {
    expect(normalizeUrl("file:///etc/passwd")).toBe("file:///etc/passwd");
    expect(isWebUrl("file:///etc/passwd")).toBe(false);
    expect(isWebUrl("chrome://settings")).toBe(false);
    expect(isWebUrl("https://example.com/")).toBe(true);
  });
});
