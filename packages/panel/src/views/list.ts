import { h, type Safe } from "../html.js";
import type { ThreadView } from "../thread-data.js";

/** Several worksites: each one's state at a glance. */
export function listPage(views: readonly ThreadView[]): Safe {
  return h`<h1>Threads</h1><ul class="cards" data-live="threads">${views.map(
    (v) => h`<li class="card"><h2><a href="/t/${v.thread.index}">${v.thread.name}</a></h2>
<p>${v.worksite?.goal.goal ?? v.problem ?? ""}</p>
<p><strong>${v.standing.running ? "running" : v.standing.state}</strong>, round ${v.standing.round}${v.approvals.length ? h` · <strong>${v.approvals.length} waiting for you</strong>` : ""}</p>
<p class="meta">${v.thread.root}</p></li>`,
  )}</ul>`;
}
