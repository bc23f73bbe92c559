import { html as diffHtml, parse as parseDiff } from "diff2html";
import { h, type Safe } from "../html.js";
import { sanitizeDiff } from "../markdown.js";
import { csrfField } from "./layout.js";

export interface ProposalView {
  run: string;
  files: string[];
  diff: string;
}

export function memoryPage(
  i: number,
  proposals: readonly ProposalView[],
  problem: string | undefined,
  csrf: string,
  notice?: string,
): Safe {
  return h`${notice ? h`<p class="notice" role="status">${notice}</p>` : ""}<h1>Memory proposals</h1>
${problem ? h`<p class="problem">${problem}</p>` : ""}
<div data-live="memory">${proposals.length ? "" : h`<p>No open memory proposals.</p>`}
${proposals.map(
  (p) => h`<article class="proposal" id="proposal-${p.run}"><h2>Proposal of run <code>${p.run}</code></h2>
<p class="meta">${p.files.length} ${p.files.length === 1 ? "file" : "files"}: ${p.files.join(", ")}</p>
<div class="diff">${sanitizeDiff(diffHtml(parseDiff(p.diff), { outputFormat: "line-by-line", drawFileList: false }))}</div>
<form method="post" action="/t/${i}/memory/${encodeURIComponent(p.run)}/accept" class="inline">${csrfField(csrf)}<button type="submit" class="approve">Accept into the main line</button></form>
<form method="post" action="/t/${i}/memory/${encodeURIComponent(p.run)}/reject" class="inline">${csrfField(csrf)}<button type="submit" class="deny">Reject</button></form>
</article>`,
)}</div>`;
}
