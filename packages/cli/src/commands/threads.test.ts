import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

const goalFile = (verify: string, steps = "") => `---\nverify: ["${verify}"]\n${steps}---\n# Goal\nKeep it green.\n`;
const thread = (title: string, extra = "") => `---\nstage: write\nagent: script\n${extra}---\n# ${title}\n`;

describe("worksite threads", () => {
  it("lists the threads under a folder with what a person needs — pinned first, then the one waiting for a person", async () => {
    const dir = await tempWorksite(
      {
        "alpha/THREAD.md": thread("Alpha: docs", "wake: 2h\n"),
        "alpha/GOAL.md": goalFile("node ok.js"),
        "alpha/PERMISSIONS.md": "# Permissions\n\n## Allow\n- `shell.run(node ok.js)`\n",
        "alpha/ok.js": "process.exit(0);\n",
        "beta/THREAD.md": thread("Beta: release"),
        "beta/GOAL.md": goalFile(
          "node ok.js",
          'steps:\n  - tool: shell.run\n    input: { command: "node publish.js" }\n',
        ),
        "beta/PERMISSIONS.md":
          "# Permissions\n\n## Allow\n- `shell.run(node ok.js)`\n\n## Requires confirmation\n- `shell.run(node publish.js)`\n",
        "beta/ok.js": "process.exit(0);\n",
        "beta/publish.js": "console.log('published');\n",
        "team/zeta/THREAD.md": thread("Zeta: on-call", "pinned: true\n"),
        "team/zeta/GOAL.md": goalFile("node ok.js"),
        "team/zeta/PERMISSIONS.md": "# Permissions\n",
        // A thread's own node_modules never holds threads of its own.
        "beta/node_modules/pkg/THREAD.md": thread("not a thread"),
      },
      "worksite-threads-",
    );
    expect((await runCli(["run", "-w", join(dir, "beta")], dir)).code).toBe(3); // beta waits for a person (exit 3)

    const { code, out } = await runCli(["threads"], dir);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s+thread\s+state\s+round\s+waits for a person\s+next wake$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(["pinned", "beta", "alpha"]);
    expect(lines[1]).toMatch(/team\/zeta — Zeta: on-call\s+active\s+0\s+nothing\s+when run/);
    expect(lines[2]).toMatch(/beta — Beta: release\s+waiting\s+1\s+1 approval\s+when run/);
    expect(lines[3]).toMatch(/alpha — Alpha: docs\s+active\s+0\s+nothing\s+every 2h/);
    expect(out).not.toContain("not a thread");

    const json = JSON.parse((await runCli(["threads", "--json"], dir)).out) as { path: string; pinned: boolean }[];
    expect(json.map((r) => [r.path, r.pinned])).toEqual([
      ["team/zeta", true],
      ["beta", false],
      ["alpha", false],
    ]);
  });

  it("names a thread whose files do not parse instead of failing the whole list, and says when there is no thread at all", async () => {
    const dir = await tempWorksite(
      {
        "bad/THREAD.md": "---\nstage: sideways\n---\n# Bad\n",
        "bad/GOAL.md": "# Goal\nx\n",
        "bad/PERMISSIONS.md": "# Permissions\n",
      },
      "worksite-threads-",
    );
    const { code, out } = await runCli(["threads"], dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^\s+bad\s+cannot read\s+\(below\)/m);
    expect(out).toMatch(/^cannot read bad: THREAD\.md:2: .*monitor, draft or write/m);

    const empty = await tempWorksite({}, "worksite-threads-");
    const none = await runCli(["threads"], empty);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(
      /no thread under \. \(no THREAD\.md within 4 folders\)[\s\S]*hint: create one with: worksite init DIR/,
    );
  });
});

describe("companion files", () => {
  it("`init --with` scaffolds them, links them from read first, makes agent edits drafts; `check` names a link to a missing file", async () => {
    const dir = await tempWorksite({}, "worksite-companions-");
    const made = await runCli(["init", "site", "--with", "runbook,security"], dir);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/created\s+runbook\.md/);
    expect(made.out).toMatch(/created\s+security\.md/);
    const root = join(dir, "site");
    expect(await readFile(join(root, "runbook.md"), "utf8")).toMatch(/^# Runbook/);
    const threadText = await readFile(join(root, "THREAD.md"), "utf8");
    expect(threadText).toMatch(/## Read first\n[\s\S]*- \[runbook\.md\]\(runbook\.md\): how the work is operated/);
    expect(threadText).toMatch(/- \[security\.md\]\(security\.md\)/);
    const permissionsText = await readFile(join(root, "PERMISSIONS.md"), "utf8");
    expect(permissionsText).toMatch(/## Draft\n[\s\S]*- `file\.write\(runbook\.md\)`\n- `file\.write\(security\.md\)`/);

    // The gate drafts the agent's write to a companion file; nothing on disk changes.
    const write = await runCli(
      ["call", "file.write", JSON.stringify({ path: "runbook.md", content: "rm -rf /" })],
      root,
    );
    expect(write.out + write.err).toMatch(/draft/i);
    expect(await readFile(join(root, "runbook.md"), "utf8")).toMatch(/^# Runbook/);

    const again = await runCli(["init", "site", "--with", "runbook"], dir);
    expect(again.code).toBe(0);
    expect((await readFile(join(root, "THREAD.md"), "utf8")).match(/\[runbook\.md\]/g)).toHaveLength(1);

    const wrong = await runCli(["init", "other", "--with", "runbook,playbook"], dir);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(
      /--with: playbook is not a companion file[\s\S]*hint: choose from runbook, inventory, env-map, backup, security/,
    );

    await writeFile(
      join(root, "THREAD.md"),
      threadText.replace("- [runbook.md]", "- [backup.md](backup.md): how to undo\n- [runbook.md]"),
    );
    const checked = await runCli(["check"], root);
    expect(checked.err).toMatch(/THREAD\.md:\d+(:\d+)?: warning: "read first" links backup\.md, which does not exist/);
    expect(checked.err).toMatch(/hint: create it \(`worksite init --with backup` scaffolds/);
    expect(checked.err).not.toMatch(/links runbook\.md/);
  });
});
