import { runCli, tempWorksite } from "./cli-harness.js";

/** Test support only: a real worksite in a temp folder whose PERMISSIONS.md covers every tier. */
export function gateWorksite(stage: "write" | "draft" = "write"): Promise<string> {
  return tempWorksite(
    {
      "THREAD.md": `---\nstage: ${stage}\n---\n# Gate test\n\n## Owns\n- src/\n`,
      "GOAL.md": "## Goal\nKeep src tidy.\n",
      "PERMISSIONS.md": [
        "# Permissions",
        "",
        "## Allow",
        "- `file.read`",
        "- `file.list`",
        "- `file.write(notes/**)`",
        "",
        "## Requires confirmation",
        "- `file.write(src/**)`",
        "",
        "## Forbidden",
        "- `shell.run(rm -rf)`",
        "",
      ].join("\n"),
      "src/a.txt": "old\n",
    },
    "worksite-gate-cli-",
  );
}

/** `worksite ...argv -w root` as the person alice, whom approvals and drafts then name. */
export function cliAsAlice(root: string, ...argv: string[]): ReturnType<typeof runCli> {
  return runCli([...argv, "-w", root], root, { ...process.env, WORKSITE_USER: "alice" });
}
