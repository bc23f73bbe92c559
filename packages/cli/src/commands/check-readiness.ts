import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  createPolicy,
  type Decision,
  didYouMean,
  type Diagnostic,
  type RegisteredTool,
  type Worksite,
} from "@worksite/core";
import { builtinPluginNames, inspectPlugins, openSession, pluginBases, type PluginReport } from "@worksite/runtime";
import type { CommandIO } from "../io.js";
import { readFirstWarnings } from "./check-read-first.js";
import { suggestCommand } from "../suggest.js";
import { chromeWarnings } from "./check-chrome.js";

/**
 * What parses but would still go wrong when the thread runs, with FILE:LINE:
 * a plugin no installed package provides is an error (a run cannot start
 * without it); a GOAL.md step naming a tool a run would not have, or a verify
 * command PERMISSIONS.md does not allow, is a warning.
 */
export async function readinessDiagnostics(
  worksite: Worksite,
  root: string,
  io: CommandIO,
  shown: (file: string) => string,
  plugins?: PluginReport[],
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const missing = pluginDiagnostics(worksite, await (plugins ?? threadPlugins(worksite, root, io)), out);
  const tools = await sessionTools(root, missing.length === 0);
  stepWarnings(worksite, tools, missing, io, root, out);
  verifyWarnings(worksite, root, tools, shown, out);
  out.push(...readFirstWarnings(worksite, root));
  chromeWarnings(worksite, out);
  return out;
}

/** Resolved like the runtime does (load-plugins.ts): from the worksite, the cwd, then the CLI's own install. */
function pluginBasesFor(root: string, io: CommandIO): string[] {
  return [...pluginBases(root, io.cwd), fileURLToPath(import.meta.url)];
}

/** Every THREAD.md plugin, resolved and imported as a run would, each with its package, version, party or error. */
export function threadPlugins(worksite: Worksite, root: string, io: CommandIO): Promise<PluginReport[]> {
  return inspectPlugins(worksite.thread, root, {
    bases: pluginBasesFor(root, io),
    reserved: builtinPluginNames(worksite),
  });
}

/**
 * A plugin that is not installed, fails to load, or takes a name already taken is an error with its
 * reason (a run cannot start without it); a local plugin file is flagged, since it is no package (issue 20).
 */
function pluginDiagnostics(worksite: Worksite, reports: PluginReport[], out: Diagnostic[]): string[] {
  const { thread } = worksite;
  const text = readFileSync(thread.file, "utf8");
  const failed: string[] = [];
  for (const r of reports) {
    const at = r.source ?? { file: thread.file, line: settingLine(text, "plugins", r.entry) };
    if (r.error) {
      failed.push(r.entry);
      const message = r.missing
        ? `no installed package provides plugin \`${r.entry}\` (${r.package})`
        : `plugin \`${r.entry}\`: ${r.error}`;
      out.push({
        ...at,
        severity: "error",
        message: `${message}; a run cannot start without it`,
        ...(r.hint ? { hint: r.hint.replace(/ fix the name under plugins: in \S+$/, "") } : {}),
      });
    } else if (r.party === "local")
      out.push({
        ...at,
        severity: "warning",
        message: `local plugin ${r.entry} runs in-process with your rights (trust: local); it is no package, so it has no version and no publisher`,
        hint: "keep it where the agent cannot write (PERMISSIONS.md), or publish it as a package",
      });
  }
  return failed;
}

/** The tools a run would have; without THREAD.md's plugins when one of them is not installed. */
async function sessionTools(root: string, withPlugins: boolean): Promise<RegisteredTool[]> {
  const open = (threadPlugins: boolean) => openSession({ root, actor: "person:check", threadPlugins });
  // Every plugin loaded above; a failure here is a fault to show, not to hide behind a session without plugins.
  const session = await open(withPlugins);
  try {
    return session.gate.tools();
  } finally {
    await session.dispose();
  }
}

function stepWarnings(
  worksite: Worksite,
  tools: RegisteredTool[],
  missingPlugins: string[],
  io: CommandIO,
  root: string,
  out: Diagnostic[],
): void {
  const ids = tools.map((t) => t.id);
  for (const step of worksite.goal.steps) {
    if (ids.includes(step.tool)) continue;
    const guess = didYouMean(step.tool, ids);
    // A plugin that is not installed may be the one that provides it; that plugin already has its error.
    if (!guess && missingPlugins.length) continue;
    out.push({
      ...step.source,
      severity: "warning",
      message: `step tool \`${step.tool}\` is not a tool a run has; the step fails every time it runs`,
      hint: `${guess ? `did you mean \`${guess}\`? ` : ""}${suggestCommand(io, root, "call --list")} lists the tools`,
    });
  }
}

function verifyWarnings(
  worksite: Worksite,
  root: string,
  tools: RegisteredTool[],
  shown: (file: string) => string,
  out: Diagnostic[],
): void {
  const shell = tools.find((t) => t.id === "shell.run");
  // PERMISSIONS.md alone: the stage clamp is a separate, deliberate setting that `worksite check` shows as the stage.
  const policy = createPolicy(worksite.permissions, { root, stage: "write" });
  for (const item of worksite.goal.verify) {
    if (item.kind !== "command") continue;
    const decision = policy.decide({
      tool: "shell.run",
      target: item.command,
      effect: shell?.effect ?? "external",
      targetKind: shell?.targetKind ?? "command",
      ...(shell?.defaultTier ? { defaultTier: shell.defaultTier } : {}),
    });
    if (decision.tier === "allow") continue;
    const by = `${decision.tier} by ${decidedBy(decision, shown)}`;
    const cmd = `\`${item.command}\``;
    const message =
      decision.tier === "confirm"
        ? `${cmd} will wait for a person every round (${by}); allow it, e.g. \`shell.run(${item.command})\``
        : decision.tier === "draft"
          ? `${cmd} becomes a draft every round and never runs, so this check never passes (${by})`
          : `${cmd} is refused every round, so this check never passes (${by})`;
    out.push({
      ...item.source,
      severity: "warning",
      message,
      hint: `add \`shell.run(${item.command})\` under ## Allow in PERMISSIONS.md, or drop the check`,
    });
  }
}

function decidedBy(decision: Decision, shown: (file: string) => string): string {
  if (decision.rule) return `${shown(decision.rule.file)}:${decision.rule.line}`;
  return decision.by === "built-in" ? "a built-in protection" : "the PERMISSIONS.md default for external tools";
}

/** The line of `key:` in the frontmatter, or of `- value` in its block list; line 1 if it cannot be found. */
export function settingLine(text: string, key: string, value: string): number {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => new RegExp(`^${key}\\s*:`).test(l));
  if (at < 0) return 1;
  if (lines[at]!.includes(value)) return at + 1;
  for (let i = at + 1; i < lines.length && /^\s|^$/.test(lines[i]!); i++) {
    if (new RegExp(`^\\s*-\\s*["']?${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*(#.*)?$`).test(lines[i]!))
      return i + 1;
  }
  return at + 1;
}
