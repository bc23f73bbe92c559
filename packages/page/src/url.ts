import type { Tier } from "@worksite/core";

/** `example.com/docs` → `https://example.com/docs`; `localhost:3000` → `http://localhost:3000/`. Anything with a scheme is kept as written. */
export function normalizeUrl(raw: string): string {
  const text = raw.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^(localhost|[\d.]+|\[[\da-f:]+\]):\d+/i.test(text)) {
    try {
      return new URL(text).href;
    } catch {
      return text;
    }
  }
  const local = /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/i.test(text);
  try {
    return new URL(`${local ? "http" : "https"}://${text}`).href;
  } catch {
    return text;
  }
}

/** Schemes a page may reach like any web address; the rest (file:, chrome:, data:, javascript: …) need a rule that names them. */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** Blank documents carry no content of their own; frames start there. */
export function isBlank(url: string): boolean {
  return url === "about:blank" || url === "about:srcdoc";
}

/** Tiers under which a read-effect navigation may go ahead (the gate would run a `read` tool under them). */
export function navigationPermitted(tier: Tier): boolean {
  return tier === "allow" || tier === "read-only" || tier === "draft";
}

/** `scheme://host[:port]` of a URL, for summaries; the text itself when it does not parse. */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.origin !== "null" ? u.origin : `${u.protocol}//${u.host}`;
  } catch {
    return url;
  }
}
