import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirSync } from "@worksite/test-support";
import { parsePermissions } from "../files/parse-permissions.js";
import { createPolicy } from "./policy.js";

/*
 * The policy keeps work per process (issue 13 item 1): each rule's compiled pattern by its text, the rules
 * that name a tool by rule list, the root's real path. None of it may outlive an edit of PERMISSIONS.md:
 * a policy made from the edited file decides by the edited rules, in the same process, at once.
 */
const root = tempDirSync("worksite-policy-cache-");
mkdirSync(join(root, "src"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function policyOf(text: string) {
  writeFileSync(join(root, "PERMISSIONS.md"), text);
  return createPolicy(parsePermissions(text, { file: "PERMISSIONS.md", root }), { root, stage: "write" });
}
const write = (target: string) => ({
  tool: "file.write",
  target,
  effect: "write" as const,
  targetKind: "path" as const,
});
const open = (target: string) => ({
  tool: "browser.open",
  target,
  effect: "read" as const,
  targetKind: "url" as const,
});

describe("a policy made after PERMISSIONS.md was edited", () => {
  it("decides by the edited rules although the same calls were decided (and cached) under the old ones", () => {
    const before = policyOf(
      "# Permissions\n\n## Allow\n- `file.write(src/**)`\n- `browser.open(https://example.com/**)`\n",
    );
    for (let i = 0; i < 3; i++) {
      expect(before.decide(write("src/a.ts")).tier).toBe("allow");
      expect(before.decide(open("https://example.com/x")).tier).toBe("allow");
    }
    // The same rule texts, now under Forbidden; and a rule moved to another line.
    const after = policyOf(
      "# Permissions\n\n## Forbidden\n- `file.write(src/**)`\n- `browser.open(https://example.com/**)`\n",
    );
    expect(after.decide(write("src/a.ts"))).toMatchObject({ tier: "forbidden" });
    expect(after.decide(open("https://example.com/x"))).toMatchObject({ tier: "forbidden" });
    // A rule removed: the default applies, not what the old list said.
    const emptied = policyOf("# Permissions\n");
    expect(emptied.decide(write("src/a.ts")).tier).toBe("confirm");
    // The old policy object still says what its own file said.
    expect(before.decide(write("src/a.ts")).tier).toBe("allow");
  });

  it("names the rule's new line when only its position changed", () => {
    const first = policyOf("# Permissions\n\n## Allow\n- `file.write(src/**)`\n");
    const line = first.decide(write("src/a.ts")).reason;
    const moved = policyOf("# Permissions\n\nSome prose first.\n\nMore prose.\n\n## Allow\n- `file.write(src/**)`\n");
    const reason = moved.decide(write("src/a.ts")).reason;
    expect(reason).not.toBe(line);
    expect(reason).toMatch(/PERMISSIONS\.md:8/);
  });
});
