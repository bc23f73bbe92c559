import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listApprovals } from "@worksite/core";
import { tempDir } from "@worksite/test-support";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
/** The built `worksite` binary; the suite's global setup builds it before any test runs. */
export const cliBin = join(repoRoot, "packages/cli/dist/bin.js");

export const PERMISSIONS = [
  "# Permissions",
  "",
  "## Allow",
  "- `file.read`",
  "- `file.list`",
  "## Forbidden",
  "- `shell.run(rm -rf)`",
  "## Requires confirmation",
  "- `file.write`",
  "## Draft",
  "- `shell.run(git push)`",
  "",
].join("\n");

/** 1-based line of a rule in PERMISSIONS.md, so a test checks the line the refusal names. */
export function ruleLine(ruleText: string): number {
  return PERMISSIONS.split("\n").findIndex((l) => l.includes(ruleText)) + 1;
}

/** A throwaway worksite written by hand, as a user would. */
export async function makeWorksite(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await tempDir("worksite-mcp-");
  await writeFile(
    join(root, "THREAD.md"),
    [
      "---",
      "plugins: []",
      "stage: write",
      "---",
      "# MCP test thread",
      "",
      "## Owns",
      "- the docs folder",
      "",
      "## Does not own",
      "- anything outside docs/",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(root, "GOAL.md"),
    [
      "# Goal",
      "",
      "Keep the docs correct and complete.",
      "",
      "## Scope",
      "- do not change LICENSE",
      "",
      "## Verify",
      "- `npm test`",
      "",
    ].join("\n"),
  );
  await writeFile(join(root, "PERMISSIONS.md"), PERMISSIONS);
  await mkdir(join(root, "docs"), { recursive: true });
  await writeFile(join(root, "docs", "intro.md"), "# Intro\n\nHello from the docs.\n");
  await mkdir(join(root, "skills", "write-docs"), { recursive: true });
  await writeFile(
    join(root, "skills", "write-docs", "SKILL.md"),
    "---\nname: write-docs\ndescription: How to write a docs page\n---\n\n# Write docs\n\n1. Read docs/intro.md\n",
  );
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Waits for the gate to queue an approval request and returns its id. */
export async function waitForPendingApproval(root: string, timeoutMs = 15_000): Promise<string> {
  // Approvals live in the person's state folder (the test setup points it at a temp folder), not in the worksite.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [pending] = await listApprovals(root, { status: "pending" });
    if (pending) return pending.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no approval request appeared");
}

export async function auditEntries(root: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(root, ".worksite", "audit.jsonl"), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The whole environment for a child the SDK spawns: its stdio transport passes only a few safe variables by
 * default, which would send the child to the person's real state folder instead of the test's (vitest.person-folders.ts).
 */
export function personEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string"));
}
