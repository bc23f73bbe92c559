import { html as diffHtml, parse as parseDiff } from "diff2html";
import { h, type Safe } from "../html.js";
import { sanitizeDiff } from "../markdown.js";
import { csrfField } from "./layout.js";

export interface ChangesView {
  /** "round N" or "the whole thread". */
  scope: string;
  /** The value for the `round` query/form field: a number or "all". */
  scopeKey: string;
  diff: string;
  checkpoints: readonly number[];
  layout: "line" | "side";
}

/** The work's changes as diffs, with a comment box per file: a comment becomes the next round's queued instruction. */
export function changesPage(i: number, v: ChangesView, csrf: string, notice?: string): Safe {
  const files = parseDiff(v.diff);
  const other = v.layout === "side" ? "line" : "side";
  const scopes = [...v.checkpoints].reverse().map((r) => [String(r), `round ${r}`] as const);
  return h`${notice ? h`<p class="notice" role="status">${notice}</p>` : ""}<h1>Changes of ${v.scope}</h1>
<nav aria-label="scope" class="scopes"><ul class="inline"><li><a href="/t/${i}/changes?round=all"${v.scopeKey === "all" ? h` aria-current="page"` : ""}>whole thread</a></li>${scopes.map(
    ([key, label]) =>
      h`<li><a href="/t/${i}/changes?round=${key}"${v.scopeKey === key ? h` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul></nav>
<p><a href="/t/${i}/changes?round=${v.scopeKey}&amp;layout=${other}">${v.layout === "side" ? "show line by line" : "show side by side"}</a></p>
<div data-live="changes">${files.length ? "" : h`<p>No changes recorded for ${v.scope} (changes are known from the round checkpoints).</p>`}
${files.map((f) => {
  const name = f.newName === "/dev/null" ? f.oldName : f.newName;
  return h`<section class="file-change"><div class="diff">${sanitizeDiff(diffHtml([f], { outputFormat: v.layout === "side" ? "side-by-side" : "line-by-line", drawFileList: false }))}</div>
<form method="post" action="/t/${i}/comment" class="comment">${csrfField(csrf)}<input type="hidden" name="file" value="${name}"><input type="hidden" name="round" value="${v.scopeKey}">
<label>line <input name="line" type="number" min="1" inputmode="numeric" class="line"></label>
<label class="grow">comment on <code>${name}</code> <input name="text" required placeholder="what should change here"></label>
<button type="submit">Queue as an instruction</button></form></section>`;
})}</div>`;
}

/** The queued line a review comment becomes. */
export function commentInstruction(file: string, line: number | undefined, scope: string, text: string): string {
  return `Review comment on ${file}${line ? ` line ${line}` : ""} (changes of ${scope}): ${text.trim()}`;
}
