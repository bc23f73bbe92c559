import type { PermissionsFile } from "../files/types.js";
import type { Decision, PolicyQuery, Rule, Stage } from "./types.js";

export interface Policy {
  decide(query: PolicyQuery): Decision;
}

export interface PolicyOptions {
  /** Absolute worksite root; paths are resolved inside it. */
  root: string;
  stage: Stage;
}

/** STUB — the policy helper replaces this body. */
export function createPolicy(_permissions: PermissionsFile, _options: PolicyOptions): Policy {
  throw new Error("not implemented");
}

/** Does `rule` match this tool id and target? Used by the PERMISSIONS.md loader to check `match:` examples. STUB. */
export function ruleMatches(_rule: Rule, _tool: string, _target: string | undefined, _root: string): boolean {
  throw new Error("not implemented");
}
