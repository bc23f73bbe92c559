import { basename, isAbsolute } from "node:path";
import { didYouMean } from "../files/did-you-mean.js";
import type { Effect } from "../plugin/types.js";
import type { Decision } from "../policy/types.js";

/* How the gate names a decision and its rule to people and in the audit log: one wording everywhere. */

export function decidedBy(decision: Decision): string {
  return decision.rule ? `rule ${shortFile(decision.rule.file)}:${decision.rule.line}` : "default";
}

/** `PERMISSIONS.md:12 \`shell.run(rm -rf)\``, "the floor", "a built-in protection" or "the PERMISSIONS.md default". */
export function ruleText(decision: Decision): string {
  if (decision.rule) return `${shortFile(decision.rule.file)}:${decision.rule.line} \`${decision.rule.text}\``;
  if (decision.by === "floor") return "the floor (no rule can lower it)";
  return decision.by === "built-in" ? "a built-in protection" : "the PERMISSIONS.md default";
}

/** Whether the decision's reason already names its rule's FILE:LINE. */
export function namesRule(decision: Decision): boolean {
  return (
    decision.rule !== undefined && decision.reason.includes(`${basename(decision.rule.file)}:${decision.rule.line}`)
  );
}

/** Rules name their file as loaded (often absolute); people and the audit log read it as PERMISSIONS.md. */
function shortFile(file: string): string {
  return isAbsolute(file) ? basename(file) : file;
}

export function effectWords(effect: Effect): string {
  return effect === "write" ? "writes" : "acts outside the worksite";
}

/** The closest tool id when the name looks like a typo; otherwise the loaded tools of that namespace (or the namespaces), not all of them. */
export function unknownToolMessage(name: string, ids: string[]): string {
  const guess = didYouMean(name, ids);
  if (guess) return `unknown tool "${name}": did you mean ${guess}?`;
  const namespace = name.split(".")[0]!;
  const same = ids.filter((id) => id.startsWith(`${namespace}.`));
  const known = same.length
    ? `loaded ${namespace} tools: ${same.join(", ")}`
    : `loaded tool groups: ${[...new Set(ids.map((id) => id.split(".")[0]))].join(", ") || "none"}`;
  return `unknown tool "${name}" (${known}); a plugin named in THREAD.md \`plugins:\` provides others`;
}
