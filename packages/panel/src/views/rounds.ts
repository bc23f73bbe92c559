import type { ArtifactRef } from "@worksite/core";
import { h, type Safe } from "../html.js";
import { evidenceLinks } from "../evidence.js";
import { renderMarkdown } from "../markdown.js";
import type { Progress } from "../progress.js";
import { csrfField, pager } from "./layout.js";

export const ROUNDS_PER_PAGE = 10;

const raw = (i: number, path: string) => `/t/${i}/raw?path=${encodeURIComponent(path)}`;
const page = (i: number, path: string) => `/t/${i}/artifact?path=${encodeURIComponent(path)}`;

/** A round's screenshots, each beside the same view from the round before, and links to its other evidence. */
export function roundEvidence(i: number, round: number, artifacts: readonly ArtifactRef[]): Safe {
  const mine = artifacts.filter((a) => a.round === round);
  if (!mine.length) return h``;
  const shots = mine.filter((a) => a.kind === "screenshot");
  const before = artifacts.filter((a) => a.kind === "screenshot" && a.round < round);
  const others = mine.filter((a) => a.kind !== "screenshot");
  return h`${shots.map((s) => {
    const name = s.path.split("/").pop() ?? "";
    const prev = before.findLast((b) => b.path.split("/").pop() === name) ?? before.at(-1);
    return h`<div class="compare">${prev ? h`<figure><img src="${raw(i, prev.path)}" alt="screenshot, round ${prev.round}: ${name}"><figcaption>round ${prev.round} (before)</figcaption></figure>` : ""}
<figure><a href="${page(i, s.path)}"><img src="${raw(i, s.path)}" alt="screenshot, round ${round}: ${name}"></a><figcaption>round ${round}: ${name}</figcaption></figure></div>`;
  })}
${others.length ? h`<ul class="evidence">${others.map((a) => h`<li><a href="${page(i, a.path)}">${a.path.split("/").pop()}</a> <span class="kind">${a.kind}</span>${a.tool ? h` <span class="meta">from ${a.tool}</span>` : ""}</li>`)}</ul>` : ""}`;
}

export function roundsPage(
  i: number,
  progress: Progress,
  artifacts: readonly ArtifactRef[],
  checkpoints: readonly number[],
  csrf: string,
  pageNumber: number,
): Safe {
  const newest = [...progress.rounds].reverse();
  const pages = Math.max(1, Math.ceil(newest.length / ROUNDS_PER_PAGE));
  const at = Math.min(Math.max(1, pageNumber), pages);
  const shown = newest.slice((at - 1) * ROUNDS_PER_PAGE, at * ROUNDS_PER_PAGE);
  return h`<h1>Rounds</h1>
${progress.problem ? h`<p class="problem">PROGRESS.md is not shown: ${progress.problem}</p>` : ""}
${progress.standing ? h`<section class="standing-state" data-live="progress-standing">${renderMarkdown(progress.standing, evidenceLinks(i, "PROGRESS.md"))}</section>` : ""}
<div data-live="rounds">${shown.length ? "" : h`<p>No round has run yet.</p>`}
${shown.map(
  (r) => h`<article class="round" id="round-${r.round}"><h2>${r.heading}</h2>
${renderMarkdown(r.body, evidenceLinks(i, "PROGRESS.md"))}
${roundEvidence(i, r.round, artifacts)}
${checkpoints.includes(r.round) ? h`<p><a href="/t/${i}/changes?round=${r.round}">the changes of round ${r.round} →</a></p>` : ""}
${checkpoints.includes(r.round) ? h`<form method="post" action="/t/${i}/rollback" class="inline">${csrfField(csrf)}<input type="hidden" name="round" value="${r.round}"><button type="submit">Roll back to round ${r.round}…</button></form>` : ""}
</article>`,
)}</div>
${pager(`/t/${i}/rounds`, at, pages)}`;
}
