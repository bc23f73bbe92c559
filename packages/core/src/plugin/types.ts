import type { z } from "zod";
import type { ArtifactKind, ArtifactRef, ArtifactStore } from "../artifacts/types.js";
import type { Decision, Effect, TargetKind, Tier } from "../decision.js";
import type { SandboxPolicy } from "../sandbox/policy.js";

export type { Effect, TargetKind } from "../decision.js";

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

/** Everything a tool may touch, passed in; never global. */
export interface ToolContext {
  /** Absolute path of the worksite root. */
  worksite: string;
  run: string;
  round: number;
  /** Who asked: "agent", "person:<name>", "mcp:<client>", "automation". */
  actor: string;
  artifacts: ArtifactStore;
  signal: AbortSignal;
  log: Logger;
  /** Wrap text that came from outside (a page, a screen, a message) so the agent reads it as data. */
  untrusted(text: string, source: string): string;
  /** Replace secrets in text with a marker naming their kind. */
  redact(text: string): string;
  /**
   * Ask the policy about a target this tool is about to reach on its own
   * (a redirect, a popup, a page-initiated navigation). Audited. The caller
   * must not proceed unless `decision.tier` permits it.
   */
  check(tool: string, target: string): Promise<Decision>;
  /**
   * The policy's decision on a target, without an audit entry of its own: for
   * the many requests a page makes by itself (images, scripts, fetches), which
   * the tool then summarises with `note`. Absent where no gate is behind the context.
   */
  decide?(tool: string, target: string): Decision;
  /** Appends a "navigation" audit entry the tool writes itself: a summary of what it blocked on its own. */
  note?(entry: {
    tool: string;
    target?: string;
    outcome: "ok" | "blocked";
    message: string;
    data?: Record<string, unknown>;
  }): Promise<void>;
  /** The OS sandbox commands run under (shell.run and every other spawner); absent means the strict default. */
  sandbox?: SandboxPolicy;
}

export interface ToolResult {
  /** Text the agent reads. Outside text inside it must already be wrapped by `ctx.untrusted`. */
  content: string;
  /** Structured result for programmatic callers (CLI --json, MCP structuredContent). */
  data?: unknown;
  artifacts?: ArtifactRef[];
  /**
   * Pictures a client may show inline (MCP image content), as well as any artifact they were
   * saved to; base64. Never written to the audit log.
   */
  images?: { data: string; mimeType: string }[];
}

export interface DraftOutput {
  /** What would have happened, for a person to read. */
  summary: string;
  /** Optional body of the draft (a message, a diff, a form's values). */
  body?: string;
  kind?: ArtifactKind;
}

/** A tier, or a tier with the reason a person reads when it decides (computer use: "KeePassXC is a password manager"). */
export type TierFloor = Tier | { tier: Tier; reason: string };

export interface ToolDefinition<Input extends z.ZodType = z.ZodType> {
  description: string;
  effect: Effect;
  input: Input;
  /**
   * The tier when no PERMISSIONS.md rule matches, instead of the file's default
   * for this effect (memory.write: "draft"). Rules still decide where they match.
   */
  defaultTier?: Tier;
  /**
   * Only a rule naming this tool may allow it; `browser.*` or `*` allow rules do
   * not (browser.evaluate runs arbitrary code in a page). Stricter glob rules still apply.
   */
  namedAllowOnly?: boolean;
  /** How rules read the target; defaults to "text". */
  targetKind?: TargetKind;
  /** What rules match against: a URL, a path, a command line. May look at live state (the page a ref lives on). */
  target?: (input: z.output<Input>, ctx: ToolContext) => string | Promise<string>;
  run: (input: z.output<Input>, ctx: ToolContext) => Promise<ToolResult>;
  /**
   * A floor the gate raises this call's decision to, whatever the rules say
   * (most restrictive wins, like the stage clamp). For calls whose risk only
   * live state reveals: typing into a password or card field needs "confirm".
   * Undefined leaves the decision as the rules made it.
   */
  minimumTier?: (input: z.output<Input>, ctx: ToolContext) => TierFloor | undefined | Promise<TierFloor | undefined>;
  draft?: (input: z.output<Input>, ctx: ToolContext) => Promise<DraftOutput>;
}

export interface PluginSetupContext {
  worksite: string;
  log: Logger;
}

export type Dispose = () => void | Promise<void>;

export interface Plugin {
  name: string;
  setup?: (ctx: PluginSetupContext) => void | Dispose | Promise<void | Dispose>;
  /**
   * Starts now what the first call would otherwise start and wait for (a browser), for a host
   * that expects calls soon (`worksite mcp` while its client's handshake runs). Runs after setup,
   * so the dispose that setup returned ends it too; a failure is left for that first call to report.
   */
  warmUp?: () => Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: each tool has its own input type; a record of them cannot name one
  tools: Record<string, ToolDefinition<any>>;
}

/** A tool with its full id (`plugin.tool`), as the gate and adapters see it. */
// biome-ignore lint/suspicious/noExplicitAny: the gate holds tools of every input type and parses input with each tool's own schema
export interface RegisteredTool extends ToolDefinition<any> {
  id: string;
  plugin: string;
}
