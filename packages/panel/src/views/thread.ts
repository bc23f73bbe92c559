import type { ArtifactRef, AuditEntry } from "@worksite/core";
import { h, type Safe } from "../html.js";
import { evidenceLinks } from "../evidence.js";
import { renderMarkdown } from "../markdown.js";
import type { Progress } from "../progress.js";
import type { ThreadView } from "../thread-data.js";
import { csrfField } from "./layout.js";
import { roundEvidence } from "./rounds.js";
import { auditHead, auditRow, why } from "./why.js";

export interface ThreadPage {
  view: ThreadView;
  progress: Progress;
  artifacts: ArtifactRef[];
  /** Recent refusals and drafts from the audit log, newest first. */
  refusals: AuditEntry[];
  skills: string[];
  csrf: string;
  /** Set after an action: what happened, in words. */
  notice?: string;
}

export function threadPage(p: ThreadPage): Safe {
  const { view } = p;
  const i = view.thread.index;
  return h`${p.notice ? h`<p class="notice" role="status">${p.notice}</p>` : ""}
<section aria-labelledby="standing-h"><h1 id="standing-h">${view.worksite?.goal.goal ? "Goal" : view.thread.name}</h1>
<div data-live="standing">${standing(view)}</div></section>
<section aria-labelledby="waiting-h"><h2 id="waiting-h">Waits for you</h2>
<div data-live="waiting">${waiting(view, p.csrf)}</div></section>
<section aria-labelledby="inbox-h"><h2 id="inbox-h">Steer or queue</h2>
<form method="post" action="/t/${i}/inbox" class="inbox">${csrfField(p.csrf)}
<label for="inbox-text">Message to the agent</label>
<textarea id="inbox-text" name="text" rows="2" required></textarea>
<div class="buttons"><button type="submit" name="kind" value="queue">Queue for the next round</button>
<button type="submit" name="kind" value="steer">Steer the running round now</button></div></form>
<div data-live="inbox">${inbox(view)}</div></section>
${
  p.progress.standing
    ? h`<section aria-labelledby="standing-state-h" class="standing-state"><h2 id="standing-state-h">Where the thread stands (PROGRESS.md)</h2>
<div data-live="progress-standing">${renderMarkdown(demote(p.progress.standing), evidenceLinks(i, "PROGRESS.md"))}</div></section>`
    : ""
}
<section aria-labelledby="latest-h"><h2 id="latest-h">Latest round</h2>
<div data-live="latest">${latest(p)}</div></section>
<section aria-labelledby="refusals-h"><h2 id="refusals-h">Refused and drafted lately</h2>
<div data-live="refusals">${p.refusals.length ? h`<div class="scroll"><table class="audit">${auditHead}<tbody>${p.refusals.map(auditRow)}</tbody></table></div>` : h`<p>Nothing refused or drafted.</p>`}</div></section>
<section aria-labelledby="skills-h"><h2 id="skills-h">Skills in use</h2>
${p.skills.length ? h`<ul class="inline">${p.skills.map((s) => h`<li><code>${s}</code></li>`)}</ul>` : h`<p>No skills.</p>`}</section>`;
}

function standing(view: ThreadView): Safe {
  const s = view.standing;
  const w = view.worksite;
  const state = s.running
    ? `running round ${s.running.round} (run ${s.running.run})`
    : s.interruptedRound !== null
      ? `interrupted in round ${s.interruptedRound}`
      : s.state;
  return h`${view.problem ? h`<pre class="problem">${view.problem}</pre>` : ""}
${w?.goal.goal ? h`<p class="goal">${w.goal.goal}</p>` : ""}
<dl class="facts">
<dt>state</dt><dd><strong class="state state-${s.state}" id="thread-state">${state}</strong></dd>
<dt>round</dt><dd id="thread-round">${s.round}</dd>
<dt>stage</dt><dd>${w?.thread.stage ?? "?"}</dd>
<dt>agent</dt><dd>${w?.thread.agent?.kind ?? "script"}</dd>
<dt>last stop</dt><dd>${s.lastStop ? (s.lastStop.interrupted ? s.lastStop.reason : `round ${s.lastStop.round}: ${s.lastStop.reason}`) : "none yet"}</dd>
<dt>next wake</dt><dd>${view.nextWake ?? "unknown"}</dd>
<dt>waiting</dt><dd>${view.approvals.length} ${view.approvals.length === 1 ? "approval" : "approvals"}, ${view.drafts.length} ${view.drafts.length === 1 ? "draft" : "drafts"}</dd>
</dl>`;
}

function waiting(view: ThreadView, csrf: string): Safe {
  const i = view.thread.index;
  if (!view.approvals.length && !view.drafts.length) return h`<p>Nothing waits for a person.</p>`;
  return h`<ul class="cards">${view.approvals.map(
    (
      a,
    ) => h`<li class="card approval" id="${a.id}"><h3>Approve <code>${a.tool}</code>${a.target !== undefined ? h` <code class="target">${a.target}</code>` : ""}?</h3>
${why(a.decision)}
<p class="meta">asked by ${a.requestedBy}${a.run ? ` in run ${a.run}` : ""}${a.round !== undefined ? `, round ${a.round}` : ""}, ${a.created} · ${a.id}</p>
<details><summary>the exact call</summary><pre>${JSON.stringify(a.input, null, 2)}</pre></details>
<form method="post" action="/t/${i}/approvals/${a.id}/approve" class="inline">${csrfField(csrf)}<button type="submit" class="approve">Approve once</button></form>
<form method="post" action="/t/${i}/approvals/${a.id}/deny" class="inline">${csrfField(csrf)}<label class="sr" for="reason-${a.id}">reason</label><input id="reason-${a.id}" name="reason" placeholder="reason (optional)"><button type="submit" class="deny">Deny</button></form></li>`,
  )}${view.drafts.map(
    (d) => h`<li class="card draft" id="${d.id}"><h3>Draft: ${d.summary}</h3>
${why(d.decision)}
<p class="meta"><code>${d.tool}</code>${d.target !== undefined ? h` <code class="target">${d.target}</code>` : ""} · ${d.actor}, run ${d.run}, round ${d.round} · nothing was sent · <a href="/t/${i}/artifact?path=${encodeURIComponent(d.artifact)}">the draft</a></p>
<form method="post" action="/t/${i}/drafts/${d.id}/run" class="inline">${csrfField(csrf)}<button type="submit" class="approve"${d.inputRedacted ? h` disabled title="the record's input was redacted, so it cannot run from here"` : ""}>Send it (run once as you)</button></form>
<form method="post" action="/t/${i}/drafts/${d.id}/discard" class="inline">${csrfField(csrf)}<button type="submit" class="deny">Discard</button></form></li>`,
  )}</ul>`;
}

function inbox(view: ThreadView): Safe {
  if (!view.steering.length && !view.queued.length) return h`<p>Nothing queued or steering.</p>`;
  return h`<ol class="queue">${view.steering.map((m) => h`<li><strong>steer</strong> ${m.text} <span class="meta">(${m.by})</span></li>`)}${view.queued.map(
    (m) => h`<li><strong>queued</strong> ${m.text} <span class="meta">(${m.by})</span></li>`,
  )}</ol>`;
}

function latest(p: ThreadPage): Safe {
  const last = p.progress.rounds.at(-1);
  if (!last) return h`<p>No round has run yet.</p>`;
  const i = p.view.thread.index;
  return h`<article class="round" id="round-${last.round}"><h3>${last.heading}</h3>
${renderMarkdown(last.body, evidenceLinks(i, "PROGRESS.md"))}
${roundEvidence(i, last.round, p.artifacts)}
<p><a href="/t/${i}/rounds">every round →</a></p></article>`;
}

/** PROGRESS.md's own headings sit under the page's: "# Progress" and "## Standing" become smaller than this section's h2. */
function demote(markdown: string): string {
  return markdown.replace(/^(#{1,4}) /gm, (_m, hashes: string) => `${"#".repeat(Math.min(6, hashes.length + 2))} `);
}
