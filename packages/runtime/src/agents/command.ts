import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  descendants,
  type HostClaim,
  hostDeciderFrom,
  type HostDecider,
  processRunning,
  SEAL_KEY_ENV,
  sandboxPolicy,
  startSandboxed,
  UserError,
  WorksiteError,
} from "@worksite/core";
import { renderRoundPrompt } from "./prompt.js";
import type { Agent, AgentProcessSupport, AgentTurn, ToolEndpoint } from "./types.js";

export interface CommandAgentOptions {
  /** argv; `{{prompt}}` in an argument is replaced by the round prompt, otherwise the prompt goes to stdin. */
  command: string[];
  env?: Record<string, string>;
  /** THREAD.md `agent: hosts`: the hosts its model API needs; each connection is allowed and audited. */
  hosts?: string[];
}

/** How long a stopped agent gets before everything it started is killed. */
const KILL_GRACE_MS = 2000;

/**
 * An external agent CLI (`codex exec`, `claude -p`, …), run under the same OS
 * sandbox as every command: it writes only the work tree, cannot read the
 * person's folders, and reaches the network only through the gate's
 * per-connection decisions. Its way to worksite's tools is the runner's gate
 * endpoint, served outside the sandbox (the sandbox keeps `.worksite/`, where
 * the audit log is, read-only): its URL and token are in
 * WORKSITE_MCP_URL / WORKSITE_MCP_TOKEN, and WORKSITE_MCP_CONFIG names an MCP
 * client config file pointing at it.
 */
export function createCommandAgent(options: CommandAgentOptions): Agent {
  const [file, ...template] = options.command;
  if (!file)
    throw new UserError("the command agent needs a command", {
      hint: 'set `agent: { kind: command, command: ["codex", "exec", "{{prompt}}"] }` in THREAD.md',
    });
  const hosts = (options.hosts ?? []).map((h) => h.toLowerCase());
  return {
    name: "command",
    async act(context, tools, signal): Promise<AgentTurn> {
      const prompt = renderRoundPrompt(context);
      const usesArg = template.some((a) => a.includes("{{prompt}}"));
      const args = template.map((a) => a.replaceAll("{{prompt}}", prompt));
      // A host without a runner (an embedder's test) still gets the strict default sandbox, never none.
      const support: AgentProcessSupport = tools.process ?? {
        policy: sandboxPolicy({ root: context.root }),
        check: () => Promise.reject(new Error("this agent was started without a runner's gate")),
        decide: () => ({ tier: "forbidden", reason: "this agent was started without a runner's gate", by: "built-in" }),
        note: async () => undefined,
        endpoint: async () => undefined,
      };
      const endpoint = await support.endpoint();
      // The config file lives outside the work tree, where only this agent is told of it; the sandbox lets it be read.
      const configDir = endpoint ? await mkdtemp(join(tmpdir(), "worksite-agent-")) : undefined;
      const endpointEnv: Record<string, string> = {};
      if (endpoint && configDir) {
        const config = join(configDir, "mcp.json");
        await writeFile(
          config,
          `${JSON.stringify(
            {
              mcpServers: {
                worksite: { type: "http", url: endpoint.url, headers: { Authorization: `Bearer ${endpoint.token}` } },
              },
            },
            null,
            2,
          )}\n`,
          { mode: 0o600 },
        );
        Object.assign(endpointEnv, {
          WORKSITE_MCP_URL: endpoint.url,
          WORKSITE_MCP_TOKEN: endpoint.token,
          WORKSITE_MCP_CONFIG: config,
        });
      }
      // The key that seals a person's approvals is not the agent's business.
      const { [SEAL_KEY_ENV]: _key, ...inherited } = process.env;
      const env = {
        ...inherited,
        ...options.env,
        ...endpointEnv,
        WORKSITE_ROOT: context.root,
        WORKSITE_RUN: context.run,
        WORKSITE_ROUND: String(context.round),
      };
      let started;
      try {
        started = await startSandboxed({
          argv: [file, ...args],
          cwd: context.root,
          policy: support.policy,
          decideHost: decider(support, endpoint, hosts),
          claims: owned(endpoint, hosts),
          env,
          stdin: "pipe",
        });
      } catch (error) {
        if (configDir) await rm(configDir, { recursive: true, force: true });
        if (error instanceof WorksiteError)
          throw new UserError(`could not start the agent command ${file}: ${error.message}`, {
            hint: "the agent runs in the same sandbox as commands; see `worksite check`",
          });
        throw error;
      }
      const { child } = started;
      return new Promise((resolve, reject) => {
        let output = "";
        child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
        let killTimer: NodeJS.Timeout | undefined;
        let exited = false;
        let killed: number[] = [];
        const kill = (pids: number[], sig: NodeJS.Signals) => {
          for (const pid of pids) {
            try {
              process.kill(pid, sig);
            } catch {
              // already gone
            }
          }
        };
        const killGroup = (sig: NodeJS.Signals) => {
          try {
            if (child.pid) process.kill(-child.pid, sig);
          } catch {
            // already gone
          }
        };
        // The agent and all it started (an MCP server, a shell) share the sandbox's PID namespace. Its first process
        // is in a session of its own and could outlive the outer one (a stop during start-up): it is ended by pid,
        // which ends the namespace, once it exists; then the outer group. SIGTERM first, so the agent can say goodbye.
        let give: number | undefined;
        const stop = () => {
          give ??= Date.now() + KILL_GRACE_MS;
          const tree = child.pid ? descendants(child.pid) : [];
          if (
            tree.length === 0 &&
            !exited &&
            started.containment !== "none" &&
            process.platform === "linux" &&
            Date.now() < give
          ) {
            setTimeout(stop, 10);
            return;
          }
          killed = [...(child.pid ? [child.pid] : []), ...tree];
          kill(tree, "SIGTERM");
          killGroup("SIGTERM");
          killTimer ??= setTimeout(() => {
            kill(child.pid ? descendants(child.pid) : [], "SIGKILL");
            kill(killed, "SIGKILL");
            killGroup("SIGKILL");
          }, KILL_GRACE_MS);
        };
        if (signal.aborted) stop();
        signal.addEventListener("abort", stop, { once: true });
        child.on("error", (e) => {
          started.finished();
          reject(
            new UserError(`could not start the agent command ${file}: ${e.message}`, {
              hint: "check `agent.command` in THREAD.md and that the program is installed",
            }),
          );
        });
        child.on("exit", () => (exited = true));
        child.on("close", async (code) => {
          signal.removeEventListener("abort", stop);
          // A stopped agent is reported once what it ran is gone, not while the kernel is still tearing it down.
          const deadline = Date.now() + 2 * KILL_GRACE_MS;
          while (killed.some(processRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          if (killTimer) clearTimeout(killTimer);
          started.finished();
          if (configDir) void rm(configDir, { recursive: true, force: true });
          // Inside the sandbox a program that is not there is the shell's exit 127.
          if (code === 127 && !signal.aborted && /not found|No such file/i.test(output)) {
            reject(
              new UserError(`could not start the agent command ${file}: not found (ENOENT)`, {
                hint: "check `agent.command` in THREAD.md and that the program is installed",
              }),
            );
            return;
          }
          const refused = started.refused.length
            ? `\n[network refused by the sandbox:\n${started.refused.map((r) => `  ${r}`).join("\n")}]`
            : "";
          const tail = (output.trim().split("\n").slice(-20).join("\n") + refused).trim();
          resolve({
            summary: tail || `${file} exited with ${code}`,
            claimsDone: code === 0 && !signal.aborted,
            calls: [],
          });
        });
        child.stdin!.end(usesArg ? "" : prompt);
      });
    },
  };
}

/** The runner's own endpoint (exactly its loopback port). */
function isEndpoint(endpoint: ToolEndpoint | undefined, host: string, port: number): boolean {
  const name = host.toLowerCase();
  return endpoint !== undefined && port === endpoint.port && (name === "127.0.0.1" || name === "localhost");
}

/** What the agent answers for even while a command it asked for runs: its endpoint and its model hosts. */
function owned(endpoint: ToolEndpoint | undefined, hosts: string[]): HostClaim {
  return (host, port) => isEndpoint(endpoint, host, port) || hosts.includes(host.toLowerCase());
}

/**
 * The agent's connections: the runner's own endpoint is allowed by the runner
 * and audited; a THREAD.md `agent: hosts` host is allowed unless PERMISSIONS.md
 * forbids `net.connect` to it (most restrictive wins, as everywhere); anything
 * else is the gate's `net.connect` decision, like a command's.
 */
function decider(support: AgentProcessSupport, endpoint: ToolEndpoint | undefined, hosts: string[]): HostDecider {
  const gate = hostDeciderFrom(support.check);
  return async (host, port) => {
    if (isEndpoint(endpoint, host, port)) {
      await support.note(`${host}:${port}`, "the runner's gate endpoint (built in for the command agent)");
      return { allow: true };
    }
    if (hosts.includes(host.toLowerCase())) {
      // A forbid (or an allow) is the gate's to decide and audit; only what would wait for a person is the runner's.
      const tier = support.decide("net.connect", host).tier;
      if (tier === "forbidden" || tier === "allow") return gate(host, port);
      await support.note(host, "THREAD.md `agent: hosts` (the command agent's model API)");
      return { allow: true };
    }
    return gate(host, port);
  };
}
