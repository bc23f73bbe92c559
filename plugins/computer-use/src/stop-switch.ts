import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { computerStopFile } from "@worksite/core";

/*
 * The kill switch: a file in the person's state folder. `worksite computer
 * stop` (or `touch` on the file) stops every desktop input at once, in every
 * worksite of this person; the command sandbox keeps the agent from reading
 * or writing that folder, so it cannot lift the stop itself.
 */

export function stopFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return computerStopFile(env);
}

export function isStopped(path: string): boolean {
  return existsSync(path);
}

export async function stopInput(path: string, by: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify({ by, at: new Date().toISOString() })}\n`, { mode: 0o600 });
}

export async function resumeInput(path: string): Promise<boolean> {
  const was = existsSync(path);
  await rm(path, { force: true });
  return was;
}

export function stoppedMessage(path: string): string {
  return `desktop input is stopped by the person (kill switch ${path}); nothing was sent. A person lifts it with: worksite computer stop --resume`;
}
