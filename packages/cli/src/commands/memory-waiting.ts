import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Worksite } from "@worksite/core";
import { listProposals, openMemory } from "@worksite/memory";

/**
 * Runs whose memory proposal waits for a person (what `worksite status` shows). Only looks: a worksite
 * without a memory folder (or one that is not a repository yet) has none, and nothing is created.
 */
export async function memoryProposalsWaiting(root: string, worksite: Worksite): Promise<string[]> {
  const dir = join(root, worksite.thread.memory?.path ?? "memory");
  if (!existsSync(dir)) return [];
  try {
    const store = await openMemory({ dir, create: false });
    return (await listProposals(store)).map((p) => p.run);
  } catch {
    return [];
  }
}
