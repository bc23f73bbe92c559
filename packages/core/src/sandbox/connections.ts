import type { Decision } from "../policy/types.js";

/** What the sandbox's connection filter is told about one connection. */
export type HostVerdict = { allow: true } | { allow: false; reason: string };

/** Decides one connection a running command makes; the caller audits it (the gate's `check`). */
export type HostDecider = (host: string, port: number) => Promise<HostVerdict>;

interface Running {
  decide: HostDecider;
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
export async function decideConnection({ host, port }: { host: string; port: number | undefined }): Promise<boolean | { allow: false; reason: string }> {
  const commands = [...running.values()];
  if (commands.length === 0) return { allow: false, reason: "no worksite command is running" };
  for (const command of commands) {
    const verdict = await command.decide(host, port ?? 0).catch((error: unknown) => ({ allow: false as const, reason: `the gate could not decide: ${error instanceof Error ? error.message : String(error)}` }));
    if (!verdict.allow) {
      command.refused.push(`${host}${port ? `:${port}` : ""}: ${verdict.reason}`);
      return { allow: false, reason: verdict.reason };
    }
  }
  return true;
}

export function registerCommand(id: string, decide: HostDecider): Running {
  const entry = { decide, refused: [] };
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
    const rule = decision.rule ? `${decision.rule.file.split(/[\\/]/).pop()}:${decision.rule.line} \`${decision.rule.text}\`` : "the PERMISSIONS.md default";
    if (decision.tier === "forbidden") return { allow: false, reason: `net.connect ${host} is forbidden by ${rule}` };
    if (decision.tier === "confirm") return { allow: false, reason: `net.connect ${host} needs a person's approval (${rule}), which a running command cannot wait for; ${add}` };
    return { allow: false, reason: `net.connect ${host} is ${decision.tier} (${rule}); ${add}` };
  };
}
