import { TIERS } from "@worksite/core";
import type { AuditFilter, AuditPage } from "../audit-view.js";
import { h, type Safe } from "../html.js";
import { pager } from "./layout.js";
import { auditHead, auditRow } from "./why.js";

const OUTCOMES = ["ok", "error", "refused", "pending", "drafted", "aborted", "blocked"];

export function auditPageView(
  i: number,
  page: AuditPage,
  filter: AuditFilter,
  verify: { ok: boolean; entries: number; line?: number; problem?: string } | undefined,
): Safe {
  const select = (name: string, label: string, values: readonly string[], current: string | undefined) =>
    h`<label>${label} <select name="${name}"><option value="">any</option>${values.map((v) => h`<option${v === current ? h` selected` : ""}>${v}</option>`)}</select></label>`;
  return h`<h1>Audit log</h1>
<p class="verify" data-live="verify">${
    verify === undefined
      ? "no audit log yet"
      : verify.ok
        ? h`<strong>✓ chain intact</strong>: ${verify.entries} entries`
        : h`<strong>✗ chain broken</strong> at audit.jsonl:${verify.line ?? "?"}: ${verify.problem ?? ""}`
  }</p>
<form method="get" action="/t/${i}/audit" class="filters">
<label>tool <input name="tool" value="${filter.tool ?? ""}" placeholder="e.g. shell.run"></label>
${select("tier", "tier", TIERS, filter.tier)}${select("outcome", "outcome", OUTCOMES, filter.outcome)}
<button type="submit">Filter</button></form>
<div data-live="audit"><p class="meta">${page.matching} of ${page.total} entries, newest first</p>
<div class="scroll"><table class="audit">${auditHead}<tbody>${page.entries.map(auditRow)}</tbody></table></div></div>
${pager(`/t/${i}/audit`, page.page, page.pages, { tool: filter.tool, tier: filter.tier, outcome: filter.outcome })}`;
}
