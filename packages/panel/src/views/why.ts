import { type AuditEntry, type Decision, ruleText } from "@worksite/core";
import { h, type Safe } from "../html.js";

/** The tier, the rule that decided and its PERMISSIONS.md line, and the gate's reason: why a call waits, was drafted or refused. */
export function why(decision: Decision | undefined, decidedBy?: string): Safe {
  if (!decision) return decidedBy ? h`<p class="why">decided by ${decidedBy}</p>` : h``;
  // The gate's reason often already names the rule (`… by \`rule\` at PERMISSIONS.md:30`): then it is not said twice.
  const named = decision.rule !== undefined && decision.reason.includes(`:${decision.rule.line}`);
  return h`<p class="why"><span class="tier tier-${decision.tier}">${decision.tier}</span>
by <code>${ruleText(decision)}</code>${decision.clamped ? " (raised by the thread's stage)" : ""}${named ? "" : h`: ${decision.reason}`}</p>`;
}

/** One audit entry as a row a person reads. */
export function auditRow(e: AuditEntry): Safe {
  const outcome = e.outcome ?? "";
  return h`<tr class="outcome-${outcome}"><td>${e.seq}</td><td><time datetime="${e.time}">${e.time.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time></td>
<td>${e.type}</td><td>${e.actor}</td><td>${e.tool ?? ""}${e.target ? h`<br><code class="target">${e.target}</code>` : ""}</td>
<td>${e.tier ?? e.decision?.tier ?? ""}</td><td>${outcome}</td>
<td>${e.decision ? h`<code>${ruleText(e.decision)}</code>` : (e.decidedBy ?? "")}${e.message ? h`${e.decision || e.decidedBy ? h`<br>` : ""}${e.message}` : ""}</td></tr>`;
}

export const auditHead = h`<thead><tr><th scope="col">#</th><th scope="col">time</th><th scope="col">type</th><th scope="col">actor</th>
<th scope="col">tool / target</th><th scope="col">tier</th><th scope="col">outcome</th><th scope="col">rule / message</th></tr></thead>`;
