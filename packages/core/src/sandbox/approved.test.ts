import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approve } from "../gate/approvals.js";
import { containmentSite, controlSnapshot, type ContainmentSite } from "./__fixtures__/worksite.js";
import { stopSandboxRuntime } from "./runtime.js";

let site: ContainmentSite;
beforeAll(async () => {
  site = await containmentSite({ allow: ["shell.run git log"], forbidden: [] });
  // The rules leave `git tag` and `bash -c` to the default: confirm, so each needs a person's approval.
});
afterAll(async () => {
  site.restore();
  await stopSandboxRuntime();
});

async function approved(command: string) {
  const pending = await site.gate.call({ tool: "shell.run", input: { command } });
  if (pending.status !== "pending-approval")
    throw new Error(`${command}: expected to wait for a person, got ${pending.status}`);
  await approve(site.root, pending.approvalId, { by: "person:test" });
  return site.gate.call({ tool: "shell.run", input: { command } });
}

describe("a command a person approved", () => {
  it("may write the repository's history: an approved `git tag` tags", async () => {
    const outcome = await approved("git -c user.name=t -c user.email=t@t tag -a v1.0.1 -m release");
    expect(outcome.status).toBe("ok");
    expect(execFileSync("git", ["tag"], { cwd: site.root, encoding: "utf8" }).trim()).toBe("v1.0.1");
  });

  it("still cannot change git's config or hooks, the worksite files or .worksite/", async () => {
    const before = controlSnapshot(site.root);
    const refs = Object.keys(before).filter((k) => /^\.git\/(objects|refs|logs|index|ORIG_HEAD|packed-refs)/.test(k));
    // Spelled so that no word names a control path: the gate's floor refuses those before a person is even asked.
    const code = [
      "import subprocess, shutil, os",
      "g = '.g' + 'it'",
      "subprocess.run(['git', 'config', 'core.fsmonitor', 'touch /tmp/pwned'])",
      "open(g + '/hooks/post-checkout', 'w').write('evil')",
      "os.makedirs(g + '/modules/x', exist_ok=True)",
      "open('THR' + 'EAD.md', 'w').write('x')",
      "shutil.rmtree('.w' + 'orksite', ignore_errors=True)",
    ].join("; ");
    const outcome = await approved(`python3 -c "${code}"`);
    expect(outcome.status).toBe("ok");
    const after = controlSnapshot(site.root);
    // What changed is only what the approval records themselves (written by the gate, not the command).
    const changed = Object.keys({ ...before, ...after }).filter(
      (k) =>
        before[k] !== after[k] &&
        !refs.includes(k) &&
        (!k.startsWith(".worksite") || k.startsWith(".worksite/runs")) &&
        !/^artifacts\/(index\.json|round-1\/shell-)/.test(k),
    );
    expect(changed).toEqual([]);
    expect(after[".git/config"]).toBe(before[".git/config"]);
  });
});
