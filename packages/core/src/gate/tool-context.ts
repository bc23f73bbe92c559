import type { ArtifactStore } from "../artifacts/types.js";
import type { Logger, ToolContext } from "../plugin/types.js";
import type { Decision } from "../policy/types.js";
import type { SandboxPolicy } from "../sandbox/policy.js";
import { wrapUntrusted } from "../untrusted.js";
import { type CallSignal, signalOf } from "./call-signal.js";

/** What one call's context reaches the gate through: the parts made on demand, and the gate's own channels. */
export interface ContextParts {
  worksite: string;
  run: string;
  /** The round when the call began: a call's artifacts stay in its round, whatever round the gate moves on to. */
  round: number;
  actor: string;
  signal: CallSignal;
  sandbox: SandboxPolicy;
  redact(text: string): string;
  /** The call's artifact store, made the first time a tool asks for it. */
  artifacts(): ArtifactStore;
  /** The tool's logger, made the first time a tool asks for it. */
  log(): Logger;
  check(tool: string, target: string): Promise<Decision>;
  decide(tool: string, target: string): Decision;
  note: NonNullable<ToolContext["note"]>;
}

/**
 * A tool's view of its call. A class rather than an object literal: a literal with getters was built through
 * V8's slow path, ~1.8 µs on every call, twice for a tool with a target (issue 13 item 1). The getters live on
 * the prototype; `check`, `decide` and `note` stay own functions, as tools pass them on unbound (shell.ts).
 */
export class CallContext implements ToolContext {
  readonly worksite: string;
  readonly run: string;
  readonly round: number;
  readonly actor: string;
  readonly redact: (text: string) => string;
  readonly untrusted = wrapUntrusted;
  readonly check: ToolContext["check"];
  readonly decide: NonNullable<ToolContext["decide"]>;
  readonly note: NonNullable<ToolContext["note"]>;
  readonly sandbox: SandboxPolicy;
  #parts: ContextParts;
  #artifacts: ArtifactStore | undefined;
  #log: Logger | undefined;

  constructor(parts: ContextParts) {
    this.worksite = parts.worksite;
    this.run = parts.run;
    this.round = parts.round;
    this.actor = parts.actor;
    this.redact = parts.redact;
    this.check = parts.check;
    this.decide = parts.decide;
    this.note = parts.note;
    this.sandbox = parts.sandbox;
    this.#parts = parts;
  }

  get artifacts(): ArtifactStore {
    this.#artifacts ??= this.#parts.artifacts();
    return this.#artifacts;
  }

  get signal(): AbortSignal {
    return signalOf(this.#parts.signal);
  }

  get log(): Logger {
    this.#log ??= this.#parts.log();
    return this.#log;
  }
}
