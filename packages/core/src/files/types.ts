import type { Diagnostic, SourceLocation } from "../errors.js";
import type { PermissionsDefaults, Rule, Stage, Tier } from "../policy/types.js";
import type { SandboxSetting } from "../sandbox/settings.js";
import type { RolloutPlan } from "./rollout.js";

/** A human-written item (bullet, numbered line or plain line) with where it came from. */
export interface Item {
  text: string;
  source: SourceLocation;
}

export interface ThreadFile {
  file: string;
  /** Frontmatter. `plugins:` names npm packages only (`browser` is short for @worksite/plugin-browser). */
  plugins: string[];
  /** `plugins:` entries `{ path: …, trust: local }`: a plugin file a person chose to run in-process, with where it was written. */
  localPlugins?: LocalPluginEntry[];
  stage: Stage;
  /** Cron expression or interval such as `30m`; absent = wake only when asked. */
  wake?: string;
  /** `pinned: true`: listed first by `worksite threads`. */
  pinned?: boolean;
  /** Where `wake:` was written, for errors about it (`worksite check`'s "endless drifting"). */
  wakeSource?: SourceLocation;
  /** `wake: { expires, pinned }`: a recurring wake lapses after `expiresMs` (default 30 days) unless pinned. */
  wakeOptions?: { expiresMs?: number; pinned?: boolean };
  /** `rollout:` — what earns each stage its promotion, and what counts as an incident (issue 16 item 5). */
  rollout?: RolloutPlan;
  /** `notify:` — a person's command, run (outside any sandbox, as the person) on wake results that need a person. */
  notify?: string;
  agent?: { kind: string; [key: string]: unknown };
  memory?: { path: string; remote?: string; autoAccept?: boolean };
  /** `sandbox:` — widens the OS sandbox under commands, or `off`; absent means the default sandbox. */
  sandbox?: SandboxSetting;
  /** `chrome:` — the Chrome plugin's way in: a DevTools endpoint (`browserUrl`, `autoConnect`), else the extension bridge. */
  chrome?: {
    browserUrl?: string;
    autoConnect?: string;
    name?: string;
    idleSeconds?: number;
    /** How long a call waits for the extension to connect. */
    connectSeconds?: number;
    line: number;
  };
  /** Sections. */
  title?: string;
  owns: Item[];
  doesNotOwn: Item[];
  readFirst: Item[];
  deliverEachRound: Item[];
  pauseWhen: Item[];
}

export interface LocalPluginEntry {
  /** As written: relative to the worksite, or absolute. */
  path: string;
  trust: "local";
  source: SourceLocation;
}

export type VerifyItem =
  | { kind: "command"; command: string; source: SourceLocation }
  | { kind: "artifact"; glob: string; source: SourceLocation }
  | { kind: "manual"; text: string; source: SourceLocation };

export interface PauseConditions {
  repeatedFailure?: number;
  maxRounds?: number;
  /** Where maxRounds was set: the `pause.maxRounds` setting, or the prose line it was read from (`text` then holds it). */
  maxRoundsFrom?: { source: SourceLocation; text?: string };
  /** What to do when a forbidden action is needed; default "pause". */
  onForbidden: "pause" | "continue";
  /** Time budget in ms for a run. */
  budgetMs?: number;
  /** The most approval requests one run may leave waiting; at the cap the run pauses (default 20, DEFAULT_PENDING_APPROVALS). */
  pendingApprovals?: number;
  /** Conditions only a person can judge. */
  manual: Item[];
}

export interface GoalFile {
  file: string;
  goal: string;
  goalSource?: SourceLocation;
  requirements: Item[];
  scope: Item[];
  verify: VerifyItem[];
  eachRound: Item[];
  pause: PauseConditions;
  /** Path globs that must not change. */
  protect: string[];
  /** Frontmatter `steps:`: the deterministic procedure the script agent runs (tool calls with inputs). */
  steps: GoalStep[];
  /** Frontmatter `vars:`: values for `{{name}}` placeholders in steps. */
  vars: Record<string, string>;
}

export interface GoalStep {
  tool: string;
  input: Record<string, unknown>;
  /** When it runs: every round (default), the first round, or after the last verification failed / passed. */
  on: "always" | "first-round" | "verify-failed" | "verify-passed";
  note?: string;
  source: SourceLocation;
}

export interface PermissionNote {
  tier?: Tier;
  text: string;
  source: SourceLocation;
}

export interface PermissionsFile {
  file: string;
  defaults: PermissionsDefaults;
  rules: Rule[];
  /** Prose kept for people, reported as "not enforced". */
  notes: PermissionNote[];
}

export interface Worksite {
  root: string;
  thread: ThreadFile;
  goal: GoalFile;
  permissions: PermissionsFile;
  /** Warnings and notes found while parsing (errors throw a UserError instead). */
  diagnostics: Diagnostic[];
}
