import type { Diagnostic } from "@worksite/core";

/** Where a skill was found; decides precedence (worksite before package before first-party). */
export type SkillSourceKind = "worksite" | "package" | "first-party";

/**
 * Whose text the skill is: `worksite` (the worksite's own skills/ folder, written there by a person),
 * `first-party` (worksite's own skills), `third-party` (an installed package). Decides whether the
 * round context hands its text to the model as the thread's own or inside the untrusted envelope.
 */
export type SkillOrigin = "worksite" | "first-party" | "third-party";

/** The public Agent Skills frontmatter, plus whatever other agents added (kept, never rejected). */
export interface SkillFrontmatter {
  name: string;
  description: string;
  license?: string;
  compatibility?: string;
  /** `allowed-tools`, as a list whichever way it was written. */
  allowedTools?: string[];
  metadata: Record<string, string>;
  /** Fields outside the public format (Claude Code's `argument-hint`, `user-invocable`, …), as written. */
  extra: Record<string, unknown>;
}

/** One tool call of a skill's deterministic procedure; `{{var}}` placeholders are filled at run time. */
export interface SkillStep {
  tool: string;
  input: Record<string, unknown>;
  id?: string;
  /** Why this step exists, for the person reading the run. */
  note?: string;
  /** Anything else the author wrote (kept for adapters that understand it). */
  [key: string]: unknown;
}

export interface SkillTriggers {
  keywords: string[];
  /** Changed-file globs, relative to the worksite. */
  files: string[];
  /** Round events: `pr-comment`, `schedule`, `manual`, … */
  events: string[];
}

export interface FailureMode {
  symptom: string;
  action: string;
  line: number;
}

/** worksite's additions, read from ordinary body sections so the file stays valid for every other agent. */
export interface SkillSections {
  whenToUse?: { text: string; line: number };
  triggers: SkillTriggers;
  steps?: SkillStep[];
  /** 1-based line of the fenced yaml block's first line inside SKILL.md. */
  stepsLine?: number;
  /** Placeholder names used in the steps (`{{url}}` → `url`). */
  variables: string[];
  failureModes: FailureMode[];
  doneWhen: string[];
}

export interface SkillFiles {
  /** Paths relative to the skill folder, forward slashes. */
  scripts: string[];
  references: string[];
  assets: string[];
}

export interface SkillPackageInfo {
  name: string;
  version: string;
  /** Folder holding the package.json. */
  dir: string;
}

export interface Skill {
  name: string;
  description: string;
  /** Absolute folder of the skill. */
  dir: string;
  /** Absolute path of SKILL.md. */
  file: string;
  frontmatter: SkillFrontmatter;
  /** Markdown after the frontmatter. */
  body: string;
  /** 1-based line in SKILL.md where the body starts. */
  bodyLine: number;
  sections: SkillSections;
  files: SkillFiles;
  source: SkillSourceKind;
  origin: SkillOrigin;
  package?: SkillPackageInfo;
  /** Notes and warnings found while loading (errors throw instead). */
  diagnostics: Diagnostic[];
}
