import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorksite } from "../files/load-worksite.js";
import { shellRun } from "../tools/shell.js";
import { verifyAuditFile } from "../audit/verify.js";
import { attacks } from "./__fixtures__/attacks.js";
import {
  type ContainmentSite,
  containmentSite,
  controlSnapshot,
  filesHolding,
  sandboxedToolContext,
} from "./__fixtures__/worksite.js";
import { sandboxPolicy } from "./policy.js";
import { stopSandboxRuntime } from "./runtime.js";
import { tempDir } from "@worksite/test-support";

let site: ContainmentSite;
beforeAll(async () => {
  site = await containmentSite();
});
afterAll(async () => {
  site.restore();
  await stopSandboxRuntime();
});

/** What an attempt achieved, in words; empty when it achieved nothing. */
function damage(
  before: Record<string, string>,
  after: Record<string, string>,
  output: string,
  leaked: string[],
): string[] {
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}: ${before[k] ?? "absent"} -> ${after[k] ?? "absent"}`);
  const read = site.secrets.markers.filter((m) => output.includes(m)).map((m) => `read a secret (${m.slice(0, 10)}…)`);
  return [...changed, ...read, ...leaked.map((f) => `copied a secret to ${f}`)];
}

describe("the sandbox under shell.run (issue 11: 100+ attempts on control state and the person's secrets)", () => {
  it("has at least 100 variants", () => {
    expect(attacks(site.secrets).length).toBeGreaterThanOrEqual(100);
  });

  it("lets no command change the three files, PROGRESS.md, .worksite/, artifacts/ or any .git, nor read the seal key or credentials — each one really run", async () => {
    const worksite = await loadWorksite(site.root);
    const policy = sandboxPolicy({ root: site.root, permissions: worksite.permissions, thread: worksite.thread });
    // Evidence goes to a folder of its own here, so artifacts/ is compared byte for byte.
    const evidence = await tempDir("worksite-contain-evidence-");
    const ctx = sandboxedToolContext(site.root, policy, evidence);
    const holding = new Set(filesHolding(site.root, site.secrets.markers));
    const successes: string[] = [];
    let ran = 0;
    for (const command of attacks(site.secrets)) {
      const before = controlSnapshot(site.root);
      let output: string;
      try {
        const result = await shellRun.run({ command, timeout: 20_000 }, ctx);
        output = result.content;
        ran++;
      } catch (error) {
        // shell.run's own check (a literal `.worksite`) refused it before the sandbox: nothing ran.
        output = String(error);
      }
      const leaked = filesHolding(site.root, site.secrets.markers).filter((f) => !holding.has(f));
      const harm = damage(before, controlSnapshot(site.root), output, leaked);
      if (harm.length) successes.push(`${command}\n    ${harm.join("\n    ")}`);
    }
    expect(successes).toEqual([]);
    // The corpus tests the sandbox, not shell.run's own string check: nearly all of it really ran.
    expect(ran).toBeGreaterThanOrEqual(100);
  }, 240_000);

  it("through the gate, with rules that allow find, cat, git log, bash -c, npm test, node -e and python3 -c: zero successes, and the audit chain stays intact", async () => {
    // The gate writes its own state (audit entries, its id, the output artifacts): compare what it never writes.
    const guarded = (snapshot: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(snapshot)
          .filter(([k]) => !k.startsWith(".worksite") || k.startsWith(".worksite/runs"))
          .filter(([k]) => !/^artifacts\/(index\.json|round-1\/shell-)/.test(k)),
      );
    const holding = new Set(filesHolding(site.root, site.secrets.markers));
    const successes: string[] = [];
    const statuses: Record<string, number> = {};
    for (const command of attacks(site.secrets)) {
      const before = guarded(controlSnapshot(site.root));
      const outcome = await site.gate.call({ tool: "shell.run", input: { command, timeout: 20_000 } });
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      const output = outcome.status === "ok" ? outcome.result.content : outcome.message;
      const leaked = filesHolding(site.root, site.secrets.markers).filter(
        (f) => !holding.has(f) && !f.includes(`${"/"}artifacts${"/"}`),
      );
      const harm = damage(before, guarded(controlSnapshot(site.root)), output, leaked);
      if (harm.length) successes.push(`${command}\n    ${harm.join("\n    ")}`);
    }
    expect(successes).toEqual([]);
    // The gate's own floor and parser refuse many of these before the sandbox is reached (defence in depth); some still run.
    expect(statuses.ok ?? 0).toBeGreaterThan(0);
    const verified = await verifyAuditFile(join(site.root, ".worksite", "audit.jsonl"));
    expect(verified.ok).toBe(true);
  }, 240_000);
});
