import { join } from "node:path";
import { corePlugins, createGate, createLogger, loadWorksite, openAuditLog, UserError, type AuditLog, type Gate, type Plugin, type Worksite } from "@worksite/core";
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

export interface CliSession {
  root: string;
  worksite: Worksite;
  gate: Gate;
  audit: AuditLog;
  run: string;
  dispose(): Promise<void>;
}

export interface CliSessionOptions {
  actor: string;
  /**
   * The seam for THREAD.md's `plugins:`: given the loaded worksite, return the
   * plugins to add to the core tools (the runtime's plugin loader). Absent:
   * core tools only.
   */
  loadPlugins?: (worksite: Worksite) => Promise<Plugin[]>;
}

/**
 * One worksite opened for a single command: its files, a gate with the core
 * tools plus whatever `loadPlugins` adds, and the audit log. Calls made here
 * are audited under a `cli-…` run at round 0.
 */
export async function openCliSession(root: string, options: CliSessionOptions): Promise<CliSession> {
  const worksite = await loadWorksite(root);
  const plugins = [...corePlugins(), ...((await options.loadPlugins?.(worksite)) ?? [])];
  const audit = cliAudit(root);
  const run = `cli-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}`;
  const gate = createGate({ root, worksite, plugins, audit, actor: options.actor, run, round: 0, log: createLogger({ level: "warn" }) });
  return { root, worksite, gate, audit, run, dispose: () => gate.dispose() };
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "10m", "2h", "1d" → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(value.trim());
  if (!match) throw new UserError(`${flag} needs a duration such as 30s, 10m, 2h or 1d, got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** Whole or fractional seconds → milliseconds. */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`${flag} needs a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}
