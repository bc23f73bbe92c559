import { join } from "node:path";
import { openAuditLog, parseDuration as parseDurationText, UserError, type AuditLog } from "@worksite/core";
import { openSession, type Session } from "@worksite/runtime";
import type { CommandIO } from "./io.js";
import { personActor as personFromEnv } from "./person.js";

/** The person at this terminal, as approvals and the audit log name them (WORKSITE_USER, else the login name). */
export function personActor(io: CommandIO): string {
  return personFromEnv(io.env);
}

/** The audit log alone, for commands that record a person's decision without opening the gate. */
export function cliAudit(root: string): AuditLog {
  return openAuditLog(join(root, ".worksite", "audit.jsonl"));
}

export type CliSession = Session;

/**
 * One worksite opened for a single command: the same session a run opens (core
 * tools, memory, skills and THREAD.md's plugins behind one gate), with calls
 * audited under a `cli-…` run at round 0.
 */
export function openCliSession(root: string, options: { actor: string }): Promise<CliSession> {
  const run = `cli-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}`;
  return openSession({ root, actor: options.actor, run, round: 0 });
}

/** "90s", "10m", "2h", "1d" (core's parseDuration) → milliseconds, or a UserError naming the flag. */
export function parseDuration(value: string, flag: string): number {
  const ms = parseDurationText(value);
  if (ms === undefined)
    throw new UserError(`${flag} needs a duration such as 30s, 10m, 2h or 1d, got ${JSON.stringify(value)}`);
  return ms;
}

/** Whole or fractional seconds → milliseconds. */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UserError(`${flag} needs a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}
