import { spawn } from "node:child_process";
import { UserError } from "@worksite/core";
import { renderRoundPrompt } from "./prompt.js";
import type { Agent, AgentTurn } from "./types.js";

export interface CommandAgentOptions {
  /** argv; `{{prompt}}` in an argument is replaced by the round prompt, otherwise the prompt goes to stdin. */
  command: string[];
  env?: Record<string, string>;
}

/**
 * An external agent CLI (`codex exec`, `claude -p`, …). It reaches worksite's
 * tools only through `worksite mcp`, configured in that agent, so its every
 * action still passes the gate; this adapter just gives it the round and waits.
 */
export function createCommandAgent(options: CommandAgentOptions): Agent {
  const [file, ...template] = options.command;
  if (!file) throw new UserError("the command agent needs a command", { hint: 'set `agent: { kind: command, command: ["codex", "exec", "{{prompt}}"] }` in THREAD.md' });
  return {
    name: "command",
    act(context, _tools, signal): Promise<AgentTurn> {
      const prompt = renderRoundPrompt(context);
      const usesArg = template.some((a) => a.includes("{{prompt}}"));
      const args = template.map((a) => a.replaceAll("{{prompt}}", prompt));
      return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
          cwd: context.root,
          env: { ...process.env, ...options.env, WORKSITE_ROOT: context.root, WORKSITE_RUN: context.run, WORKSITE_ROUND: String(context.round) },
          stdio: ["pipe", "pipe", "pipe"],
          detached: true,
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const stop = () => {
          // The agent may have children of its own (an MCP server): end the whole group.
          if (child.pid) try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
        };
        signal.addEventListener("abort", stop, { once: true });
        child.on("error", (e) => reject(new UserError(`could not start the agent command ${file}: ${e.message}`, { hint: "check `agent.command` in THREAD.md and that the program is installed" })));
        child.on("close", (code) => {
          signal.removeEventListener("abort", stop);
          const tail = output.trim().split("\n").slice(-20).join("\n");
          resolve({ summary: tail || `${file} exited with ${code}`, claimsDone: code === 0 && !signal.aborted, calls: [] });
        });
        child.stdin.end(usesArg ? "" : prompt);
      });
    },
  };
}
