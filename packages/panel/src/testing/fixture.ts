import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type ApprovalRecord, type ArtifactRef, hashCall, requestApproval } from "@worksite/core";
import { tempDir } from "@worksite/test-support";

/** A small worksite on disk (real files, a real git repository) with whatever artifacts a test plants. */
export async function panelWorksite(options: { permissions?: string } = {}): Promise<string> {
  const root = await tempDir("worksite-panel-");
  await put(
    root,
    "THREAD.md",
    "---\nplugins: []\nstage: write\nagent: script\n---\n# Panel test thread\n\n## Owns\n- src/\n",
  );
  await put(root, "GOAL.md", "# Goal\nShow the evidence to a person.\n\n## Verify\n- a person looks\n");
  await put(
    root,
    "PERMISSIONS.md",
    options.permissions ??
      "---\ndefault:\n  read: allow\n  write: confirm\n  external: confirm\n---\n# Permissions\n\n## Allow\n- `file.read`\n\n## Requires confirmation\n- `shell.run(git tag)`\n",
  );
  for (const d of ["artifacts", "memory", ".worksite"]) await mkdir(join(root, d), { recursive: true });
  execFileSync("git", ["init", "-q"], { cwd: root });
  return root;
}

export async function put(root: string, path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), data);
}

/** Artifacts as the artifact store leaves them: files under artifacts/round-N/ and their index. */
export async function plantArtifacts(
  root: string,
  files: { path: string; kind: ArtifactRef["kind"]; round: number; data: string | Uint8Array }[],
): Promise<void> {
  for (const f of files) await put(root, f.path, f.data);
  const artifacts: ArtifactRef[] = files.map((f) => ({
    path: f.path,
    kind: f.kind,
    round: f.round,
    run: "run-test",
    created: new Date().toISOString(),
  }));
  await put(root, "artifacts/index.json", `${JSON.stringify({ version: 1, artifacts }, null, 2)}\n`);
}

/** A call waiting for a person, filed the way the gate files one. */
export async function waitingApproval(root: string, command = "git tag v1"): Promise<ApprovalRecord> {
  const input = { command };
  return requestApproval(
    root,
    {
      tool: "shell.run",
      input,
      target: command,
      callHash: hashCall("shell.run", input, command),
      decision: {
        tier: "confirm",
        rule: { text: "shell.run(git tag)", file: join(root, "PERMISSIONS.md"), line: 11 },
        reason: "PERMISSIONS.md:11 asks a person before `git tag`",
        by: "rule",
      },
      requestedBy: "agent",
      run: "run-test",
      round: 1,
    },
    (t) => t,
  );
}
