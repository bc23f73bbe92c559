import type { Decision, GateOutcome, GoalFile, RegisteredTool, SandboxPolicy, ThreadFile, Tier } from "@worksite/core";

/** Whose text a part of the round context is: the thread's own (a person, first-party) or a third party's. Absent means the thread's own. */
export type ContextOrigin = "thread" | "third-party";

/** What an agent knows at the start of a round. Rendered to text for model agents by `renderRoundPrompt`. */
export interface RoundContext {
  root: string;
  run: string;
  round: number;
  thread: ThreadFile;
  goal: GoalFile;
  /** The queued instruction taken for this round, if any. */
  instruction?: string;
  /** Steering received during this round, oldest first; the agent continues in that direction. */
  steering: string[];
  /** The last round's report, for continuity. */
  lastReport?: string;
  /**
   * The thread's standing state (PROGRESS.md `## Standing`, as of now): decisions, open problems, what
   * this wake should check, stop conditions. Shown before the last report.
   */
  standing?: string;
  /** Did the last round's verification pass? undefined in the first round. */
  lastVerification?: { passed: boolean; failures: string[] };
  /** MEMORY.md index lines of the entries a person wrote (secrets never included): the thread's own. */
  memory?: string;
  /**
   * Memory the person did not write, by where it came from (agent proposals a person accepted, entries
   * pulled from the remote): shown to the model inside the untrusted envelope (issue 20).
   */
  memoryFromOthers?: { source: string; text: string }[];
  /** Names and descriptions of every skill, within a budget; bodies of the matched ones. */
  skills: { name: string; description: string; origin?: ContextOrigin; from?: string }[];
  matchedSkills: { name: string; body: string; steps: Step[]; origin?: ContextOrigin; from?: string }[];
  openApprovals: { id: string; tool: string; target?: string }[];
}

/** One deterministic tool call of a script: from GOAL.md `steps:` or a skill's Steps block. */
export interface Step {
  tool: string;
  /** Names the step's result for later steps: `{{steps.<id>.content}}`. */
  id?: string;
  input: Record<string, unknown>;
  /** When the step runs: every round, only the first, or only after verification failed / passed. */
  on: "always" | "first-round" | "verify-failed" | "verify-passed";
  note?: string;
  /** Where the step came from, for reports: "GOAL.md" or "skill verify-page". */
  from: string;
}

/** The gated tools as an agent sees them. Every call goes through the gate. */
export interface AgentTools {
  list(): RegisteredTool[];
  call(tool: string, input: unknown, signal?: AbortSignal): Promise<GateOutcome>;
  /** For an agent that is a process of its own (the command agent): how the runner contains it and lets it reach the tools. */
  process?: AgentProcessSupport;
}

/** The gated tools served outside the sandbox for an agent process: MCP Streamable HTTP on loopback, bearer token. */
export interface ToolEndpoint {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface AgentProcessSupport {
  /** The worksite's command sandbox: the agent process runs under it like any command. */
  policy: SandboxPolicy;
  /** The gate's policy question for one connection (audited). */
  check(tool: string, target: string): Promise<Decision>;
  /** The same question without an audit entry, for a connection the runner then records itself. */
  decide(tool: string, target: string): Decision;
  /** Writes an allowed connection the runner decided itself (its own endpoint, THREAD.md `agent: hosts`) to the audit log. */
  note(target: string, message: string): Promise<void>;
  /** The run's tool endpoint, started on first use; undefined when the runner serves none. */
  endpoint(): Promise<ToolEndpoint | undefined>;
}

export interface CallRecord {
  tool: string;
  status: GateOutcome["status"];
  /** The tier the gate decided, when it got that far. */
  tier?: Tier;
  message: string;
  /** The tool worked (status "ok") but the command it ran exited non-zero. */
  exitCode?: number;
}

export function callRecord(tool: string, outcome: GateOutcome): CallRecord {
  const code = failedExitCode(outcome);
  const firstLine = describeOutcome(outcome).split("\n")[0] ?? "";
  // The tool ran (the gate's outcome is "ok"), but the command it ran failed: say so first, or a report reads "ok".
  const message = code !== undefined ? `exit ${code}: ${firstLine}` : firstLine;
  return {
    tool,
    status: outcome.status,
    ...(outcome.decision ? { tier: outcome.decision.tier } : {}),
    message,
    ...(code !== undefined ? { exitCode: code } : {}),
  };
}

export interface AgentTurn {
  /** What the agent says it did, one paragraph. */
  summary: string;
  /** The agent believes the goal is met. Verification still decides. */
  claimsDone: boolean;
  calls: CallRecord[];
  /** What the agent needs from a person, if anything. */
  needs?: string[];
}

export interface Agent {
  name: string;
  act(context: RoundContext, tools: AgentTools, signal: AbortSignal): Promise<AgentTurn>;
}

export function describeOutcome(outcome: GateOutcome): string {
  switch (outcome.status) {
    case "ok":
      return outcome.result.content;
    default:
      return outcome.message;
  }
}

/** The non-zero exit code of a command a tool ran successfully (shell.run and the like); undefined otherwise. */
export function failedExitCode(outcome: GateOutcome): number | undefined {
  if (outcome.status !== "ok") return undefined;
  const data = outcome.result.data as { exitCode?: unknown } | null | undefined;
  const code = data && typeof data === "object" ? data.exitCode : undefined;
  return typeof code === "number" && code !== 0 ? code : undefined;
}
