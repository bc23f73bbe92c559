import { UserError, type Worksite } from "@worksite/core";
import { createCommandAgent } from "./command.js";
import { createOpenAIAgent, openAIOptionsFrom } from "./openai.js";
import { createScriptAgent } from "./script.js";
import type { Agent } from "./types.js";

export const agentKinds = ["script", "openai", "command"] as const;

/** The agent THREAD.md (or `--agent`) asks for, configured from THREAD.md, GOAL.md and the environment. */
export function agentFor(kind: string, worksite: Worksite, env: NodeJS.ProcessEnv): Agent {
  const settings = worksite.thread.agent ?? { kind };
  switch (kind) {
    case "script":
      return createScriptAgent({
        steps: worksite.goal.steps.map((s) => ({
          tool: s.tool,
          input: s.input,
          on: s.on,
          from: `${worksite.goal.file}:${s.source.line}`,
          ...(s.note ? { note: s.note } : {}),
        })),
        vars: worksite.goal.vars,
      });
    case "openai":
      return createOpenAIAgent(openAIOptionsFrom(settings, env));
    case "command": {
      const command = settings.command;
      const argv = Array.isArray(command)
        ? command.map(String)
        : typeof command === "string"
          ? command.split(/\s+/).filter(Boolean)
          : [];
      return createCommandAgent({ command: argv, hosts: commandAgentHosts(settings) });
    }
    default:
      throw new UserError(`unknown agent "${kind}"`, { hint: `use one of: ${agentKinds.join(", ")}` });
  }
}

/** THREAD.md `agent: { kind: command, hosts: [...] }`: the hosts its model API needs, let through its sandbox and audited. */
export function commandAgentHosts(settings: { [key: string]: unknown } | undefined): string[] {
  const hosts = settings?.hosts;
  return Array.isArray(hosts) ? hosts.map(String) : typeof hosts === "string" ? [hosts] : [];
}
