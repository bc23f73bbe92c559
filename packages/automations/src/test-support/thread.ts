/*
 * Test support only: real worksites in temp folders, run by the real run loop (script agent).
 */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openAuditLog, type AuditEntry } from "@worksite/core";

/** A goal that never finishes on its own (its artifact never appears), so each wake continues the thread. */
export const ONGOING_GOAL = `---
verify:
  - artifact: never-made/*.txt
pause: { repeatedFailure: 1000, maxRounds: 1000 }
steps:
  - tool: file.write
    input: { path: src/note.txt, content: "looked again" }
---
# Goal
Keep an eye on things.
`;

/** A goal the first round finishes (nothing to verify; the script agent says done). */
export const FINISHING_GOAL = "---\nverify: []\npause: { maxRounds: 5 }\n---\n# Goal\nSay hello once.\n";

export const ALLOW_SRC = "# Permissions\n\n## Allow\n- `file.read`\n- `file.list`\n- `file.write(src/**)`\n";

export function threadWith(frontmatter: string): string {
  return `---\nagent: script\n${frontmatter.trim()}\n---\n# Watcher\n\n## Owns\n- src/\n`;
}

export async function makeThread(files: { thread: string; goal?: string; permissions?: string }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "worksite-wake-"));
  const all: Record<string, string> = {
    "THREAD.md": files.thread,
    "GOAL.md": files.goal ?? ONGOING_GOAL,
    "PERMISSIONS.md": files.permissions ?? ALLOW_SRC,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

/** Round numbers PROGRESS.md reports, in order. */
export async function progressRounds(root: string): Promise<number[]> {
  const text = await readFile(join(root, "PROGRESS.md"), "utf8").catch(() => "");
  return [...text.matchAll(/^## Round (\d+)/gm)].map((m) => Number(m[1]));
}

export async function auditEntries(root: string): Promise<AuditEntry[]> {
  return openAuditLog(join(root, ".worksite", "audit.jsonl")).entries();
}

/** Polls `check` until it holds or the generous deadline passes. */
export async function until(check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
