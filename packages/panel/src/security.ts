import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/*
 * The panel is a person's channel and only a person's (issue 17 item 3):
 *
 * - loopback only, and only under the names this panel answers to (Host check: a DNS-rebinding page
 *   that reaches 127.0.0.1 under evil.example gets nothing);
 * - one login token, printed to the person's terminal, never written to a file (so no agent tool can
 *   read it: it lives in this process alone), good once; it becomes an HttpOnly, SameSite=Strict
 *   session cookie;
 * - every POST carries the session's CSRF token and an Origin of this very panel (another loopback
 *   port is the same *site* to a browser, so SameSite alone does not stop a page the agent serves on
 *   127.0.0.1:3000 from posting here).
 */

export interface PanelSession {
  id: string;
  csrf: string;
  created: number;
  lastUsed: number;
}

/**
 * A signed-in browser left open is a standing key to approvals: a session ends after a working
 * day's idle time, and a day after it began however busy it was. The person signs in again with a
 * fresh link from the terminal.
 */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
  now: () => number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 8 * 3_600_000,
  maxMs: 24 * 3_600_000,
  now: Date.now,
};

export interface Auth {
  /** The current one-time login token (a fresh one after each use). */
  readonly loginToken: string;
  /** A new login token; the old one stops working. */
  issueLoginToken(): string;
  /** Exchanges the login token for a session; undefined when the token is wrong or used. */
  login(token: string): PanelSession | undefined;
  session(id: string | undefined): PanelSession | undefined;
  /** Why a cookie no longer opens a session, when it once did (expired); undefined for one never issued. */
  ended(id: string | undefined): string | undefined;
  cookieName: string;
}

const token = () => randomBytes(32).toString("base64url");

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createAuth(port: number, limits: SessionLimits = DEFAULT_SESSION_LIMITS): Auth {
  let loginToken = token();
  const sessions = new Map<string, PanelSession>();
  // Expired session ids, kept only to tell the person why they were signed out (bounded by the logins made).
  const expired = new Map<string, string>();
  const hours = (ms: number) => `${Math.round(ms / 3_600_000)} hours`;
  const expiry = (s: PanelSession, now: number): string | undefined => {
    if (now - s.created >= limits.maxMs) return `it was signed in ${hours(limits.maxMs)} ago`;
    if (now - s.lastUsed >= limits.idleMs) return `it was idle for ${hours(limits.idleMs)}`;
    return undefined;
  };
  const prune = (now: number) => {
    for (const [id, s] of sessions) {
      const why = expiry(s, now);
      if (why === undefined) continue;
      sessions.delete(id);
      expired.set(id, why);
    }
  };
  return {
    get loginToken() {
      return loginToken;
    },
    issueLoginToken() {
      loginToken = token();
      return loginToken;
    },
    login(given) {
      if (!sameSecret(given, loginToken)) return undefined;
      loginToken = token(); // good once
      const now = limits.now();
      prune(now);
      const session = { id: token(), csrf: token(), created: now, lastUsed: now };
      sessions.set(session.id, session);
      return session;
    },
    session(id) {
      if (!id) return undefined;
      const now = limits.now();
      prune(now);
      const session = sessions.get(id);
      if (session) session.lastUsed = now;
      return session;
    },
    ended(id) {
      return id ? expired.get(id) : undefined;
    },
    // Cookies ignore ports: two panels on one machine each keep their own.
    cookieName: `worksite_panel_${port}`,
  };
}

/** The Host values this panel answers to. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export type Vars = { session: PanelSession; nonce: string };

function refuse(c: Context, status: 400 | 401 | 403 | 421, text: string): Response {
  return c.text(text, status, { "cache-control": "no-store" });
}

/** Host, peer address, session, and for every POST the Origin and the CSRF token. */
export function guard(auth: Auth, port: number): MiddlewareHandler<{ Variables: Vars }> {
  const hosts = allowedHosts(port);
  return async (c, next) => {
    const host = c.req.header("host") ?? "";
    if (!hosts.has(host)) return refuse(c, 421, `this panel answers only to 127.0.0.1:${port}`);
    const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
      ?.remoteAddress;
    if (peer !== undefined && !LOOPBACK.test(peer)) return refuse(c, 403, "the panel serves this machine only");

    if (c.req.path === "/login" && c.req.method === "GET") {
      const session = auth.login(c.req.query("token") ?? "");
      if (!session)
        return refuse(
          c,
          401,
          "This login link was used already or is wrong. Press Enter in the terminal where `worksite panel` runs for a new one.",
        );
      setCookie(c, auth.cookieName, session.id, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect("/", 303);
    }

    const cookie = getCookie(c, auth.cookieName);
    const session = auth.session(cookie);
    const ended = session ? undefined : auth.ended(cookie);
    if (ended)
      return refuse(
        c,
        401,
        `Signed out: this panel session ended because ${ended}. Press Enter in the terminal where \`worksite panel\` runs for a new link.`,
      );
    if (!session)
      return refuse(c, 401, "Not signed in. Open the link `worksite panel` printed in your terminal (it works once).");

    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const origin = c.req.header("origin");
      if (origin !== `http://${host}`)
        return refuse(c, 403, "refused: this request did not come from the panel's own page");
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin") return refuse(c, 403, "refused: a cross-site request");
      const form = (c.req.header("content-type") ?? "").includes("form") ? await c.req.parseBody() : {};
      const sent = c.req.header("x-csrf-token") ?? (typeof form.csrf === "string" ? form.csrf : "");
      if (!sameSecret(sent, session.csrf))
        return refuse(c, 403, "refused: the form's CSRF token is missing or wrong; reload the page");
    }
    c.set("session", session);
    c.set("nonce", randomBytes(16).toString("base64"));
    await next();
  };
}

/** Headers on every page: nothing but the panel's own nonce'd script runs, nothing embeds the panel. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    // Not no-referrer: under it Chromium sends `Origin: null` with the panel's own forms, and the Origin check needs the real one.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  };
}

/** Raw evidence: never a document that runs anything, whatever the file says it is. */
export function rawHeaders(type: string): Record<string, string> {
  return {
    "content-type": type,
    "content-security-policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-resource-policy": "same-origin",
  };
}
