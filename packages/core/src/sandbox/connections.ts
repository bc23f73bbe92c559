import { ruleText } from "../gate/decision-words.js";
import type { Decision } from "../policy/types.js";

/** What the sandbox's connection filter is told about one connection. */
export type HostVerdict = { allow: true } | { allow: false; reason: string };

/** Decides one connection a running command makes; the caller audits it (the gate's `check`). */
export type HostDecider = (host: string, port: number) => Promise<HostVerdict>;

/** Connections one command answers for alone (the command agent's own endpoint and model hosts). */
export type HostClaim = (host: string, port: number) => boolean;

interface Running {
  decide: HostDecider;
  claims?: HostClaim;
  /** Refusals, one line each, for the command's report. */
  refused: string[];
}

const running = new Map<string, Running>();

/**
 * The connection filter runs once per process and is told only host and
 * port, not which command asked. With one command running (the usual case)
 * that command's gate decides and audits. With several, each one's gate is
 * asked and all must allow: a connection is never let through on a rule of a
 * worksite it may not belong to.
 */
export async function decideConnection({
  host,
  port,
}: {
  host: string;
  port: number | undefined;
}): Promise<boolean | { allow: false; reason: string }> {
  const commands = [...running.values()];
  if (commands.length === 0) return { allow: false, reason: "no worksite command is running" };
  // The command agent's connections to its runner's endpoint and its model API are its own, not the commands it
  // has running (parallel tool calls open new connections while a command runs): it alone decides and audits them.
  const owner = commands.find((c) => c.claims?.(host, port ?? 0));
  for (const command of owner ? [owner] : commands) {
    const verdict = await command.decide(host, port ?? 0).catch((error: unknown) => ({
      allow: false as const,
      reason: `the gate could not decide: ${error instanceof Error ? error.message : String(error)}`,
    }));
    if (!verdict.allow) {
      command.refused.push(`${host}${port ? `:${port}` : ""}: ${verdict.reason}`);
      return { allow: false, reason: verdict.reason };
    }
  }
  return true;
}

export function registerCommand(id: string, decide: HostDecider, claims?: HostClaim): Running {
  const entry: Running = { decide, refused: [], ...(claims ? { claims } : {}) };
  running.set(id, entry);
  return entry;
}

export function unregisterCommand(id: string): void {
  running.delete(id);
}

/**
 * A decider from the gate's `check` (which audits every call). Only an allow
 * lets a connection through: a command cannot wait for a person, so confirm
 * means refused, with the rule to add.
 */
export function hostDeciderFrom(check: (tool: string, target: string) => Promise<Decision>): HostDecider {
  return async (host) => {
    const decision = await check("net.connect", host);
    if (decision.tier === "allow") return { allow: true };
    const add = `add \`net.connect ${host}\` under Allow in PERMISSIONS.md to let commands reach it`;
    const rule = ruleText(decision);
    if (decision.tier === "forbidden") return { allow: false, reason: `net.connect ${host} is forbidden by ${rule}` };
    if (decision.tier === "confirm")
      return {
        allow: false,
        reason: `net.connect ${host} needs a person's approval (${rule}), which a running command cannot wait for; ${add}`,
      };
    return { allow: false, reason: `net.connect ${host} is ${decision.tier} (${rule}); ${add}` };
  };
}
