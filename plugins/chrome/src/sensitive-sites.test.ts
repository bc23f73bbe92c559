import type { Decision } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { namesOrigin, sensitiveKind } from "./sensitive-sites.js";

const rule = (text: string, tier: Decision["tier"] = "allow"): Decision => ({
  tier,
  rule: { text, file: "PERMISSIONS.md", line: 3 },
  reason: "rule",
});

describe("sensitive sites", () => {
  it("knows banking, payments, password managers, account security pages and the browser's own pages", () => {
    expect(sensitiveKind("https://www.paypal.com/myaccount")).toBe("payments");
    expect(sensitiveKind("https://secure.chase.com/")).toBe("banking");
    expect(sensitiveKind("https://vault.bitwarden.com/")).toBe("a password manager");
    expect(sensitiveKind("https://github.com/settings/security")).toBe("account or security settings");
    expect(sensitiveKind("https://myaccount.google.com/")).toBe("account or security settings");
    expect(sensitiveKind("chrome://settings/passwords")).toBe("a browser's own page");
    expect(sensitiveKind("https://github.com/acme/app/issues")).toBeUndefined();
    expect(sensitiveKind("https://notpaypal.com/")).toBeUndefined();
    expect(sensitiveKind("http://127.0.0.1:8080/", ["127.0.0.1:8080"])).toBe(
      "marked sensitive in the plugin's options",
    );
  });

  it("counts only a rule that names the origin itself, not a wildcard", () => {
    expect(namesOrigin(rule("`chrome.open(https://www.paypal.com/**)`"), "https://www.paypal.com/x")).toBe(true);
    expect(namesOrigin(rule("`chrome.open(https://*.paypal.com/**)`"), "https://www.paypal.com/x")).toBe(false);
    expect(namesOrigin(rule("`chrome.*`"), "https://www.paypal.com/x")).toBe(false);
    expect(namesOrigin(rule("`chrome.open(https://www.paypal.com*/**)`"), "https://www.paypal.com/x")).toBe(false);
    expect(namesOrigin(rule("`chrome.open(https://www.paypal.com)`"), "https://www.paypal.com/")).toBe(true);
    expect(namesOrigin(rule("`chrome.open(https://www.paypal.com/**)`", "forbidden"), "https://www.paypal.com/x")).toBe(
      false,
    );
    expect(namesOrigin({ tier: "read-only", reason: "default" }, "https://www.paypal.com/x")).toBe(false);
  });
});
