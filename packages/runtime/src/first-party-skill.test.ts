import { existsSync } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runThread } from "./run.js";
import { goal, makeWorksite, permissions, removeWorksites } from "./test-helpers/worksite.js";

afterAll(removeWorksites);

const skillsDir = resolve(import.meta.dirname, "../../../skills");

describe("a first-party skill run by the script agent", () => {
  it("approvals-digest, on a scheduled run, writes what waits for a person with the command that approves it", async () => {
    const root = await makeWorksite({
      goal: goal(`steps:\n  - { tool: shell.run, input: { command: "git push origin main" } }`, "Ship the branch."),
      permissions: permissions({
        Allow: ["thread.*", "file.read", "file.write(drafts/**)", "skill.*"],
        "Requires confirmation": ["shell.run(git push)"],
      }),
    });
    await cp(join(skillsDir, "approvals-digest"), join(root, "skills", "approvals-digest"), { recursive: true });

    const first = await runThread({ root, rounds: 1 });
    expect(first.state).toBe("waiting");
    expect(existsSync(join(root, "drafts", "approvals-digest.md"))).toBe(false); // a plain run does not trigger it

    // The schedule wakes the thread: the digest's trigger is the event, not the goal's words.
    const second = await runThread({ root, rounds: 1, event: "schedule" });
    expect(second.state).toBe("waiting");
    const digest = await readFile(join(root, "drafts", "approvals-digest.md"), "utf8");
    expect(digest).toMatch(/ap_[0-9a-f]+ shell\.run git push origin main → worksite approve ap_[0-9a-f]+/);
    expect(digest).toContain("## Blockers from PROGRESS.md");
  });
});
