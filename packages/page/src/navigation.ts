import type { Decision } from "@worksite/core";
import { isBlank, isWebUrl, navigationPermitted } from "./url.js";

export interface Verdict {
  permitted: boolean;
  reason: string;
}

/**
 * Whether a page may go to `url` on its own (a redirect, a popup, a click's
 * navigation), given the policy's decision on that URL at the moment it
 * happens. file:, chrome:, data:, javascript: … only when a rule names them;
 * the read-only default is not enough.
 */
export function permittedBy(url: string, decision: Decision): boolean {
  return navigationPermitted(decision.tier) && (isWebUrl(url) || decision.rule !== undefined);
}

/** The same decision with a reason a person reads; blank documents are always fine. */
export function navigationVerdict(url: string, decision: Decision | undefined): Verdict {
  if (isBlank(url)) return { permitted: true, reason: "blank page" };
  if (!decision) return { permitted: false, reason: "no tool call is bound to the browser" };
  if (!navigationPermitted(decision.tier)) return { permitted: false, reason: `${decision.tier}: ${decision.reason}` };
  if (!isWebUrl(url) && !decision.rule) return { permitted: false, reason: "not a web address, and no rule allows it" };
  return { permitted: true, reason: decision.reason };
}
