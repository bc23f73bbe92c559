import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@worksite/core/atomic-file";
import { z } from "zod";
import type { Problem } from "./problems.js";

const problemSchema = z.object({
  id: z.string(),
  key: z.string(),
  kind: z.enum(["check", "call", "note"]),
  text: z.string(),
  firstRound: z.number().int(),
  lastSeenRound: z.number().int(),
  closed: z
    .object({
      round: z.number().int().optional(),
      how: z.string(),
      by: z.string(),
      at: z.string(),
      audit: z.number().int().optional(),
    })
    .optional(),
});

const standingFileSchema = z.object({
  problems: z.array(problemSchema).default([]),
  nextProblem: z.number().int().positive().default(1),
  /** Items the last round's agent proposed for the next wake: its own words, shown as such. */
  agentNext: z.array(z.string()).default([]),
  /** Files the rounds changed, newest first (capped). */
  files: z.array(z.string()).default([]),
  /** The round the file was last written for. */
  round: z.number().int().nonnegative().default(0),
});

export type StandingFile = z.infer<typeof standingFileSchema>;

/** Runtime-owned, under `.worksite/` (the agent's sandbox cannot write there; the floor forbids its file.write). */
export function standingFilePath(root: string): string {
  return join(root, ".worksite", "standing.json");
}

/** What the standing state has read of the audit log so far (from-audit.ts): runtime-owned, rebuilt if lost. */
export function auditFactsCache(root: string): string {
  return join(root, ".worksite", "standing-audit.json");
}

export async function readStandingFile(root: string): Promise<StandingFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(standingFilePath(root), "utf8"));
  } catch {
    json = {};
  }
  const parsed = standingFileSchema.safeParse(json);
  return parsed.success ? parsed.data : standingFileSchema.parse({});
}

export async function writeStandingFile(root: string, file: StandingFile): Promise<void> {
  await writeFileAtomic(standingFilePath(root), `${JSON.stringify(file, null, 2)}\n`);
}

export type { Problem };
