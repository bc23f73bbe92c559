import {
  type AuditLog,
  corePlugins,
  createGate,
  createLogger,
  type Gate,
  type GateOptions,
  loadWorksite,
  type Logger,
  openAuditLog,
  type Plugin,
  type Stage,
  type Worksite,
} from "@worksite/core";
import { createMemoryPlugin } from "@worksite/memory";
import { createSkillsPlugin } from "@worksite/skills";
import { loadPlugins } from "./load-plugins.js";
import { auditPath } from "./paths.js";
import { createThreadPlugin } from "./thread-plugin.js";

export interface SessionOptions {
  root: string;
  /** "agent", "person:<name>", "mcp:<client>", "automation". */
  actor: string;
  run?: string;
  round?: number;
  stage?: Stage;
  /** Plugins given directly (tests, embedders); added to the ones THREAD.md names. */
  plugins?: Plugin[];
  /** Skip loading THREAD.md's plugins (a CLI command that only needs core tools). */
  threadPlugins?: boolean;
  log?: Logger;
}

export type SessionGate = ReturnType<typeof createGate>;

/** One worksite opened for work: its files, its gate with every tool it may use, its audit log. */
export interface Session {
  root: string;
  worksite: Worksite;
  gate: SessionGate;
  audit: AuditLog;
  run: string;
  round: number;
  log: Logger;
  dispose(): Promise<void>;
}

export { auditPath } from "./paths.js";

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The names of the plugins every session has: a THREAD.md plugin may not take one of them. */
export function builtinPluginNames(worksite: Worksite): string[] {
  return builtinPlugins(worksite).map((p) => p.name);
}

/** Tools every session has besides THREAD.md's plugins: the core tools, memory, skills and the thread's own state. */
function builtinPlugins(worksite: Worksite): Plugin[] {
  const plugins = [...corePlugins()];
  const settings = worksite.thread.memory;
  plugins.push(
    createMemoryPlugin({ dir: settings?.path ?? "memory", ...(settings?.autoAccept ? { autoAccept: true } : {}) }),
  );
  plugins.push(createSkillsPlugin());
  plugins.push(createThreadPlugin(worksite));
  return plugins;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { root } = options;
  const worksite = await loadWorksite(root);
  const log = options.log ?? createLogger({ level: "warn" });
  const builtin = builtinPlugins(worksite);
  const named =
    options.threadPlugins === false
      ? []
      : await loadPlugins(worksite.thread.plugins, root, worksite.thread.file, {
          reserved: builtin.map((p) => p.name),
          ...(worksite.thread.localPlugins ? { localPlugins: worksite.thread.localPlugins } : {}),
        });
  const plugins = [...builtin, ...named, ...(options.plugins ?? [])];
  const audit = openAuditLog(auditPath(root));
  const run = options.run ?? newRunId();
  const round = options.round ?? 0;
  const gateOptions: GateOptions = { root, worksite, plugins, audit, actor: options.actor, run, round, log };
  if (options.stage) gateOptions.stage = options.stage;
  const gate = createGate(gateOptions);
  return { root, worksite, gate, audit, run, round, log, dispose: () => gate.dispose() };
}

export type { Gate };
