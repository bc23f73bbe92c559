/*
 * Server-rendered HTML. Every interpolated value is escaped unless it is `Safe`
 * (made only by `h` itself, by the sanitizer, or by `trusted` for markup this
 * package wrote): agent-made text (titles, file names, reports) can never
 * become markup by accident.
 */

export class Safe {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Html = Safe;
type Part = Safe | string | number | boolean | null | undefined | readonly Part[];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Safe) return part.html;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

/** Tagged template: `h\`<p>${text}</p>\`` escapes `text`. */
export function h(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Safe(out);
}

/** Markup this package produced itself (a sanitizer's output, diff2html's escaped output). */
export function trusted(html: string): Safe {
  return new Safe(html);
}

/** A query string from parts, each value encoded. */
export function query(params: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(params).filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== "");
  return pairs.length
    ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&")}`
    : "";
}
