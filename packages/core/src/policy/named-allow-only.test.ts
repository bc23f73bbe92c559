import { describe, expect, it } from "vitest";
import { parsePermissions } from "../files/parse-permissions.js";
import { createPolicy } from "./policy.js";

/** Issue 11: `browser.evaluate` runs arbitrary code in a page, so a `browser.*` rule written for reading pages must not allow it. */
function policyOf(lines: string[]) {
  const text = ["# Permissions", "", ...lines, ""].join("\n");
  return createPolicy(parsePermissions(text, { file: "/w/PERMISSIONS.md", root: "/w" }), {
    root: "/w",
    stage: "write",
  });
}

const evaluate = (target: string) => ({
  tool: "browser.evaluate",
  target,
  effect: "external" as const,
  targetKind: "url" as const,
  namedAllowOnly: true,
});

describe("a tool that only a rule naming it may allow", () => {
  it("is not allowed by a browser.* or * allow rule", () => {
    const policy = policyOf(["## Allow", "- `browser.*(https://example.com/**)`", "- `*(https://example.com/**)`"]);
    expect(policy.decide(evaluate("https://example.com/app")).tier).toBe("confirm");
    // The same rules still allow every other browser tool.
    expect(
      policy.decide({ tool: "browser.click", target: "https://example.com/app", effect: "external", targetKind: "url" })
        .tier,
    ).toBe("allow");
  });

  it("is allowed by a rule that names it", () => {
    const policy = policyOf([
      "## Allow",
      "- `browser.*(https://example.com/**)`",
      "- `browser.evaluate(https://example.com/**)`",
    ]);
    expect(policy.decide(evaluate("https://example.com/app"))).toMatchObject({
      tier: "allow",
      rule: { text: "browser.evaluate(https://example.com/**)" },
    });
  });

  it("is still held by stricter glob rules", () => {
    const policy = policyOf([
      "## Allow",
      "- `browser.evaluate(https://**)`",
      "",
      "## Forbidden",
      "- `browser.*(https://evil.example/**)`",
    ]);
    expect(policy.decide(evaluate("https://evil.example/x")).tier).toBe("forbidden");
    const drafts = policyOf(["## Draft", "- `browser.*`"]);
    expect(drafts.decide(evaluate("https://example.com/")).tier).toBe("draft");
  });
});
