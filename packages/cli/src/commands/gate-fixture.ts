import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandIO } from "../io.js";
import { main } from "../main.js";

/** A real worksite in a temp folder whose PERMISSIONS.md covers every tier. Test support only. */
export async function gateWorksite(stage: "write" | "draft" = "write"): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "worksite-gate-cli-"));
  await mkdir(join(root, "src"));
  await writeFile(join(root, "THREAD.md"), `---\nstage: ${stage}\n---\n# Gate test\n\n## Owns\n- src/\n`);
  await writeFile(join(root, "GOAL.md"), "## Goal\nKeep src tidy.\n");
  await writeFile(
    join(root, "PERMISSIONS.md"),
    [
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
  );
  await writeFile(join(root, "src", "a.txt"), "old\n");
  return root;
}

export async function cli(root: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = { cwd: root, env: { ...process.env, WORKSITE_USER: "alice" }, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await main([...argv, "-w", root], io);
  return { code, stdout, stderr };
}
