import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";
import { loadWorksite } from "../files/load-worksite.js";
import { shellRun } from "../tools/shell.js";
import { sandboxedToolContext } from "./__fixtures__/worksite.js";
import { sandboxPolicy } from "./policy.js";
import { stopSandboxRuntime } from "./runtime.js";

const made: string[] = [];
afterAll(async () => {
  await stopSandboxRuntime();
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

describe("a file PERMISSIONS.md drafts `file.write` for stays unwritten by commands too", () => {
  it("a command cannot write runbook.md (the gate drafts its file.write), while other work-tree files stay writable", async () => {
    const root = await tempDir("worksite-guarded-");
    made.push(root);
    await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# Thread\n");
    await writeFile(join(root, "GOAL.md"), "# Goal\nRun the thread.\n");
    await writeFile(
      join(root, "PERMISSIONS.md"),
      "# Permissions\n\n## Allow\n- `shell.run`\n- `file.write(src/**)`\n\n## Draft\n- `file.write(runbook.md)`\n- `file.write(docs/*.md)`\n",
    );
    await writeFile(join(root, "runbook.md"), "# Runbook\n");
    await writeFile(join(root, "notes.md"), "notes\n");
    const worksite = await loadWorksite(root);
    const policy = sandboxPolicy({ root, permissions: worksite.permissions, thread: worksite.thread });
    expect(policy.readOnly).toContain(join(root, "runbook.md"));
    // A glob is the gate's alone: a mount needs a path.
    expect(policy.readOnly.some((p) => p.includes("*"))).toBe(false);

    const ctx = sandboxedToolContext(root, policy);
    await shellRun.run(
      { command: "sh -c 'echo replaced > runbook.md; echo changed > notes.md'", timeout: 20_000 },
      ctx,
    );
    expect(await readFile(join(root, "runbook.md"), "utf8")).toBe("# Runbook\n");
    expect(await readFile(join(root, "notes.md"), "utf8")).toBe("changed\n");
  });
});
