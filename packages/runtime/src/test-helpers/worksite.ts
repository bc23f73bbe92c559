/*
 * Test support only: real worksites in temp folders, and small readers of what
 * a run leaves behind (state, audit log, PROGRESS.md). No mocks: the runtime
 * under test reads these files exactly as it would a person's worksite.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type AuditEntry, openAuditLog } from "@worksite/core";
import { auditPath } from "../session.js";
import { runThread } from "../run.js";
import { readState, type ThreadState } from "../state.js";
import { tempDir } from "@worksite/test-support";

export interface WorksiteSpec {
  /** THREAD.md; default: a write-stage thread with the script agent. */
  thread?: string;
  /** GOAL.md, whole (frontmatter and body). */
  goal: string;
  /** PERMISSIONS.md; default: file reads and writes under src/ allowed. */
  permissions?: string;
  /** Other files, by path relative to the worksite. */
  files?: Record<string, string>;
}

export const DEFAULT_THREAD = "---\nstage: write\nagent: script\n---\n# Test thread\n\n## Owns\n- src/\n";

export const DEFAULT_PERMISSIONS = "# Permissions\n\n## Allow\n- `file.read`\n- `file.list`\n- `file.write(src/**)`\n";

const made: string[] = [];

export async function makeWorksite(spec: WorksiteSpec): Promise<string> {
  const root = await tempDir("worksite-runtime-");
  made.push(root);
  const files: Record<string, string> = {
    "THREAD.md": spec.thread ?? DEFAULT_THREAD,
    "GOAL.md": spec.goal,
    "PERMISSIONS.md": spec.permissions ?? DEFAULT_PERMISSIONS,
    ...spec.files,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

/** A PERMISSIONS.md from tier → rules, e.g. `{ Allow: ["file.read", "shell.run(node)"] }`. */
export function permissions(tiers: Record<string, string[]>): string {
  return [
    "# Permissions",
    "",
    ...Object.entries(tiers).flatMap(([tier, rules]) => [`## ${tier}`, ...rules.map((r) => `- \`${r}\``), ""]),
  ].join("\n");
}

/** A GOAL.md with YAML frontmatter settings and a goal sentence. */
export function goal(frontmatter: string, text = "Make the check pass."): string {
  return `---\n${frontmatter.trim()}\n---\n\n# Goal\n${text}\n`;
}

export async function removeWorksites(): Promise<void> {
  await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

export function auditEntries(root: string): Promise<AuditEntry[]> {
  return openAuditLog(auditPath(root)).entries();
}

export function verifyAudit(root: string) {
  return openAuditLog(auditPath(root)).verify();
}

export async function readProgress(root: string): Promise<string> {
  try {
    return await readFile(join(root, "PROGRESS.md"), "utf8");
  } catch {
    return "";
  }
}

/** The `## Round N — …` headings of PROGRESS.md, in order. */
export async function progressHeadings(root: string): Promise<string[]> {
  return (await readProgress(root)).split("\n").filter((l) => /^## Round \d+ — /.test(l));
}

export { readState, type ThreadState };

/** Poll until `check` returns a truthy value (the file a run writes is the only signal a test gets). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A long step that the test ends by steering or killing: it would otherwise run 20 s. */
export const LONG_STEP = 'node -e "setTimeout(()=>{},20000)"';

/**
 * Round 1 writes src/a.txt; round 2 (after round 1's verification failed) rewrites it and adds src/b.txt,
 * which makes it pass: two checkpoints with different files, for rollback tests.
 */
export async function runTwoRoundThread(): Promise<{ root: string; result: Awaited<ReturnType<typeof runThread>> }> {
  const root = await makeWorksite({
    goal: goal(`
verify: ["node check.js"]
steps:
  - tool: file.write
    input: { path: src/a.txt, content: "round one" }
    on: first-round
  - tool: file.write
    input: { path: src/a.txt, content: "round two" }
    on: verify-failed
  - tool: file.write
    input: { path: src/b.txt, content: "added in round two" }
    on: verify-failed
`),
    permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"] }),
    files: { "src/a.txt": "original", "check.js": "process.exit(require('fs').existsSync('src/b.txt') ? 0 : 1);\n" },
  });
  return { root, result: await runThread({ root }) };
}
