import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Worksite } from "@worksite/core";

/**
 * Runs whose memory proposal waits for a person (what `worksite status` shows). Only looks: a worksite
 * without a memory folder (or one that is not a repository yet) has none, and nothing is created.
 */
export async function memoryProposalsWaiting(root: string, worksite: Worksite): Promise<string[]> {
  const dir = join(root, worksite.thread.memory?.path ?? "memory");
  if (!existsSync(dir) || !mayHoldProposals(dir)) return [];
  // The memory package (and isomorphic-git with it) loads only when a proposal may be there: `status` starts
  // fast in the common case of none (issue 13 item 3).
  const { listProposals, openMemory } = await import("@worksite/memory");
  try {
    const store = await openMemory({ dir, create: false });
    return (await listProposals(store)).map((p) => p.run);
  } catch {
    return [];
  }
}

const PROPOSALS = "refs/heads/memory/proposals/";

/**
 * False only when no repository the memory folder can use (its own `.git`, or the one of the folder above,
 * as `openMemory` picks) holds a proposal branch, loose or packed. Anything unusual (a `.git` file of a
 * linked worktree, an unreadable packed-refs) answers true, so the full reader decides.
 */
function mayHoldProposals(dir: string): boolean {
  for (const git of [join(dir, ".git"), join(dirname(dir), ".git")]) {
    if (!existsSync(git)) continue;
    try {
      if (!statSync(git).isDirectory()) return true;
      if (existsSync(join(git, PROPOSALS))) return true;
      const packed = join(git, "packed-refs");
      if (existsSync(packed) && readFileSync(packed, "utf8").includes(` ${PROPOSALS}`)) return true;
    } catch {
      return true;
    }
  }
  return false;
}
