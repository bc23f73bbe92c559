import { h, type Safe } from "../html.js";
import type { PanelThread } from "../thread-data.js";

export interface PageContext {
  nonce: string;
  csrf: string;
  thread?: PanelThread;
  /** Which tab is current. */
  tab?: "thread" | "rounds" | "changes" | "artifacts" | "audit" | "memory";
  /** Live regions on this page refresh on changes to this thread. */
  live?: boolean;
}

const TABS: [NonNullable<PageContext["tab"]>, string, string][] = [
  ["thread", "Thread", ""],
  ["rounds", "Rounds", "/rounds"],
  ["changes", "Changes", "/changes"],
  ["artifacts", "Artifacts", "/artifacts"],
  ["audit", "Audit log", "/audit"],
  ["memory", "Memory", "/memory"],
];

/** The page around a view: one stylesheet, one script (by nonce), a skip link, tabs that say which is current in words too. */
export function layout(ctx: PageContext, title: string, body: Safe): string {
  const t = ctx.thread;
  const nav = t
    ? h`<nav aria-label="views"><ul>${TABS.map(
        ([tab, label, path]) =>
          h`<li><a href="/t/${t.index}${path}"${tab === ctx.tab ? h` aria-current="page"` : ""}>${label}${tab === ctx.tab ? h`<span class="sr"> (current)</span>` : ""}</a></li>`,
      )}</ul></nav>`
    : "";
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf" content="${ctx.csrf}">
<title>${title} — worksite panel</title>
<link rel="stylesheet" href="/static/panel.css">
<link rel="stylesheet" href="/static/diff2html.css">
<script src="/static/panel.js" nonce="${ctx.nonce}" defer></script>
</head><body${t && ctx.live !== false ? h` data-events="/t/${t.index}/events"` : ""}>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand"><a href="/">worksite</a>${t ? h` / <a href="/t/${t.index}">${t.name}</a>` : ""}</p>${nav}
<p class="live-state" id="live-state" role="status" aria-live="polite"></p></header>
<main id="main" tabindex="-1">${body}</main>
</body></html>`.html;
}

/** A hidden CSRF field for a form. */
export const csrfField = (csrf: string) => h`<input type="hidden" name="csrf" value="${csrf}">`;

/** A page of N, with previous/next links that keep the other query parameters. */
export function pager(
  base: string,
  page: number,
  pages: number,
  params: Record<string, string | undefined> = {},
): Safe {
  if (pages <= 1) return h``;
  const link = (p: number) => {
    const q = new URLSearchParams(
      Object.entries({ ...params, page: String(p) }).filter((e): e is [string, string] => !!e[1]),
    );
    return `${base}?${q.toString()}`;
  };
  return h`<nav class="pager" aria-label="pages">${page > 1 ? h`<a href="${link(page - 1)}" rel="prev">← newer</a>` : ""}
<span>page ${page} of ${pages}</span>${page < pages ? h`<a href="${link(page + 1)}" rel="next">older →</a>` : ""}</nav>`;
}
