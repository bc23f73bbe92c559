import { homedir } from "node:os";
import { relative } from "node:path";
import {
  sandboxAvailability,
  sandboxPolicy,
  unavailableMessage,
  CREDENTIAL_PATHS,
  type Worksite,
} from "@worksite/core";
import { commandAgentHosts } from "@worksite/runtime";
import type { styler } from "../io.js";

type Paint = ReturnType<typeof styler>;

/** What `worksite check --json` says about the sandbox. */
export interface SandboxReport {
  state: "on" | "off" | "unavailable";
  /** Where a person turned it off, or the install hint when it is unavailable. */
  reason?: string;
  write: string[];
  readOnly: string[];
  unreadable: string[];
  hosts: string[];
}

export function sandboxReport(w: Worksite, env: NodeJS.ProcessEnv = process.env): SandboxReport {
  const policy = sandboxPolicy({ root: w.root, permissions: w.permissions, thread: w.thread, env });
  const base = {
    write: policy.write,
    readOnly: policy.readOnly,
    unreadable: policy.unreadable,
    hosts: policy.hostRules,
  };
  if (policy.off)
    return { state: "off", reason: `${w.thread.file}:${w.thread.sandbox?.line ?? 1} \`sandbox: off\``, ...base };
  const available = sandboxAvailability(env);
  if (!available.ok) return { state: "unavailable", reason: unavailableMessage(available), ...base };
  return { state: "on", ...base };
}

/** The sandbox section of `worksite check`: what commands can write, cannot read, can reach — or, loudly, that it is off or missing. */
export function sandboxSummary(
  w: Worksite,
  paint: Paint,
  shown: (file: string) => string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const report = sandboxReport(w, env);
  const home = env.HOME ?? homedir();
  const short = (p: string) =>
    p === w.root
      ? "the work tree"
      : p.startsWith(`${w.root}/`)
        ? relative(w.root, p)
        : p.startsWith(`${home}/`)
          ? `~/${relative(home, p)}`
          : p;
  if (report.state === "off") {
    return [
      "",
      `${paint("bold", "Sandbox")}  ${paint("red", "OFF")} — ${shown(w.thread.file)}:${w.thread.sandbox?.line ?? 1} says \`sandbox: off\`: commands run with your full rights (every file you can write, your keys, the network)`,
      "",
    ].join("\n");
  }
  if (report.state === "unavailable") {
    return ["", `${paint("bold", "Sandbox")}  ${paint("red", "UNAVAILABLE")} — ${report.reason}`, ""].join("\n");
  }
  const credentials = new Set(CREDENTIAL_PATHS.map((p) => `~/${p}`));
  const unreadable = report.unreadable.map(short);
  const own = unreadable.filter((p) => !credentials.has(p));
  const out = [
    "",
    `${paint("bold", "Sandbox")}  ${paint("green", "in force")} under every command`,
    `  may write    ${report.write.map(short).join(", ")}`,
    `  read-only    ${report.readOnly.map(short).join(", ")}, and every .git inside`,
    `  unreadable   ${own.join(", ")}, and ${credentials.size} credential folders (~/.ssh, ~/.aws, ~/.gnupg, …)`,
    `  network      ${report.hosts.length ? `only ${report.hosts.join(", ")}; each connection decided and audited` : "none: no `net.connect` rule allows a host"}`,
    // The external agent's own process runs under the same sandbox; its tools come through the run's gate endpoint.
    ...(w.thread.agent?.kind === "command" ? commandAgentLines(w, paint) : []),
    "",
  ];
  return out.join("\n");
}

function commandAgentLines(w: Worksite, paint: Paint): string[] {
  const agent = w.thread.agent as { command?: unknown; hosts?: unknown };
  const command = Array.isArray(agent.command)
    ? agent.command.map(String).join(" ")
    : String(agent.command ?? "its CLI");
  const hosts = commandAgentHosts(agent);
  return [
    `  agent        the \`command\` agent (${command}) runs inside it too; it reaches worksite's tools only through the run's gate endpoint (loopback, bearer token: WORKSITE_MCP_URL, WORKSITE_MCP_TOKEN, WORKSITE_MCP_CONFIG)`,
    `  agent hosts  ${hosts.length ? `${hosts.join(", ")} (${w.thread.file.split(/[\\/]/).pop()} \`agent: hosts\`); each connection audited` : paint("yellow", "none: add `hosts: [your model API's host]` to THREAD.md `agent:` so it can reach its model")}`,
  ];
}
