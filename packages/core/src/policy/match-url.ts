/**
 * URL rules. Targets are parsed the way a browser parses them (WHATWG `new URL`),
 * so the host a rule sees is the host the browser will contact: case folded,
 * IDN in punycode, userinfo dropped (`https://a.com@evil.com` is evil.com),
 * default ports removed, `..` and `%2e%2e` segments resolved.
 *
 * Pattern syntax: `SCHEME://HOST[:PORT][/PATH-GLOB][?QUERY-GLOB]`
 * - SCHEME `*` means http or https only — never file:, javascript:, data: or chrome:.
 * - HOST `*` is any host; `*.example.com` is any subdomain of example.com but NOT
 *   example.com itself (write a second rule for the apex); `evil-example.com` and
 *   `example.com.evil.com` never match it.
 * - PORT absent means the scheme's default port only; `:*` is any port.
 * - Restrictive rules (not `allow`) are read generously: a scheme covers its
 *   plain/secure twin (http/https, ws/wss), an absent port covers every port,
 *   and paths compare case-insensitively.
 * - PATH absent means any path; `/**` likewise; otherwise a `/`-separated glob.
 *   Query strings are ignored unless the pattern has a `?` part.
 */
import { globMatches } from "./glob.js";
import type { MatchMode } from "./match-mode.js";

export interface UrlPattern {
  schemes: string[];
  host: { kind: "any" } | { kind: "exact"; host: string } | { kind: "subdomains"; base: string };
  /** undefined = default port only; "*" = any; else a number as text. */
  port?: string;
  path?: string;
  query?: string;
}

export interface NormalUrl {
  scheme: string;
  host: string;
  /** "" when the port is the scheme's default. */
  port: string;
  /** Readings of the path a server might act on; restrictive rules match any, allow rules must match all. */
  paths: string[];
  search: string;
  href: string;
}

const PATTERN = /^([A-Za-z*][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;
const DEFAULT_PORTS: Record<string, string> = { http: "80", https: "443", ws: "80", wss: "443", ftp: "21" };
const PLACEHOLDER = "wildcard-label-0f3a";

export function looksLikeUrlPattern(spec: string): boolean {
  return /^[A-Za-z*][A-Za-z0-9+.-]*:\/\//.test(spec);
}

export function parseUrlPattern(spec: string): UrlPattern | undefined {
  const m = PATTERN.exec(spec.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  if (authority.includes("@")) return undefined;
  const schemes = scheme === "*" ? ["http", "https"] : [scheme];

  const portMatch = /^(.*?)(?::(\*|\d+))?$/.exec(authority)!;
  let hostText = portMatch[1]!;
  const portText = portMatch[2];
  let host: UrlPattern["host"];
  if (hostText === "*") host = { kind: "any" };
  else {
    const sub = hostText.startsWith("*.");
    if (sub) hostText = `${PLACEHOLDER}.${hostText.slice(2)}`;
    if (hostText.includes("*")) return undefined;
    let normal: string;
    try {
      normal =
        schemes.includes("http") || schemes.includes("https") || schemes.includes("ws") || schemes.includes("wss")
          ? new URL(`http://${hostText}/`).hostname
          : hostText.toLowerCase();
    } catch {
      return undefined;
    }
    normal = canonicalHost(stripTrailingDots(normal));
    host = sub ? { kind: "subdomains", base: normal.slice(PLACEHOLDER.length + 1) } : { kind: "exact", host: normal };
  }

  let port: string | undefined;
  if (portText === "*") port = "*";
  else if (portText !== undefined)
    port = schemes.every((s) => DEFAULT_PORTS[s] === String(Number(portText))) ? undefined : String(Number(portText));

  const rawPath = m[3] ?? "";
  const path = rawPath === "" ? undefined : collapse(decodePath(rawPath, true));
  return { schemes, host, port, path, query: m[4] };
}

export function normaliseUrl(target: string): NormalUrl | undefined {
  let url: URL;
  try {
    url = new URL(target.trim());
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, "").toLowerCase();
  const host = canonicalHost(stripTrailingDots(url.hostname.toLowerCase()));
  const raw = url.pathname;
  const readings = new Set<string>();
  readings.add(decodePath(raw, true));
  // What a lenient server might see: every escape decoded (once and twice), `\` as `/`,
  // `;params` dropped, `//` collapsed and dot segments resolved again.
  let decoded = raw;
  for (let i = 0; i < 2; i++) {
    decoded = decodePath(decoded, false);
    readings.add(resolveDots(collapse(decoded.replace(/\\/g, "/").replace(/;[^/]*/g, ""))));
  }
  return { scheme, host, port: url.port, paths: [...readings], search: url.search.replace(/^\?/, ""), href: url.href };
}

export function urlMatches(pattern: UrlPattern, url: NormalUrl, mode: MatchMode): boolean {
  const generous = mode === "generous";
  // A restriction on https://evil.com also covers http://evil.com and every port of it.
  if (!pattern.schemes.includes(url.scheme) && !(generous && pattern.schemes.some((s) => sameFamily(s, url.scheme))))
    return false;
  const h = pattern.host;
  if (h.kind === "exact" && h.host !== url.host) return false;
  if (h.kind === "subdomains" && !(url.host.endsWith(`.${h.base}`) && url.host.length > h.base.length + 1))
    return false;
  if (
    !generous &&
    (pattern.port === undefined ? url.port !== "" : pattern.port !== "*" && pattern.port !== effectivePort(url))
  )
    return false;
  if (generous && pattern.port !== undefined && pattern.port !== "*" && pattern.port !== effectivePort(url))
    return false;
  if (pattern.query !== undefined && !globMatches(pattern.query, url.search, { caseInsensitive: mode === "generous" }))
    return false;
  if (pattern.path === undefined) return true;
  const test = (p: string) => globMatches(pattern.path!, p, { separator: "/", caseInsensitive: mode === "generous" });
  return mode === "generous" ? url.paths.some(test) : url.paths.every(test);
}

function sameFamily(a: string, b: string): boolean {
  const family = (s: string) => (s === "http" || s === "https" ? "web" : s === "ws" || s === "wss" ? "socket" : s);
  return family(a) === family(b);
}

function effectivePort(url: NormalUrl): string {
  return url.port || DEFAULT_PORTS[url.scheme] || "";
}

/**
 * Every spelling of this machine is one host for rules (issue 11 item 7): `127.0.0.0/8`
 * (WHATWG has already turned `0x7f.1`, `2130706433` and `0177.0.0.1` into dotted
 * decimal), `[::1]`, `[::ffff:127.x.x.x]`, `0.0.0.0` and `[::]` (both reach the
 * local machine when connected to) are all `localhost`.
 */
export function canonicalHost(host: string): string {
  if (host === "localhost" || host === "0.0.0.0" || host === "[::]" || host === "[::1]") return "localhost";
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return "localhost";
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host) || /^\[::ffff:0:0\]$/.test(host)) return "localhost";
  return host;
}

/**
 * A bare `host` or `host:port` (a `net.connect` target or rule) read as a browser
 * would: IDNA to punycode, case folded, IPv4 spellings in dotted decimal,
 * loopback as `localhost`. Undefined when it is not a host.
 */
export function normaliseHostTarget(text: string): string | undefined {
  const t = text.trim();
  if (t === "" || /[\s/@?#\\]/.test(t)) return undefined;
  try {
    const url = new URL(`http://${t}/`);
    const host = canonicalHost(stripTrailingDots(url.hostname.toLowerCase()));
    const port = /:(\d+)$/.exec(t) ? /:(\d+)$/.exec(t)![1]! : "";
    return port ? `${host}:${String(Number(port))}` : host;
  } catch {
    return undefined;
  }
}

function stripTrailingDots(host: string): string {
  return host.replace(/\.+$/, "");
}

function collapse(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

/** Resolve `.` and `..` segments; `..` never climbs above the root. */
function resolveDots(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  for (const s of segments.slice(1)) {
    if (s === ".") continue;
    if (s === "..") out.pop();
    else out.push(s);
  }
  const last = segments[segments.length - 1];
  const trailing = (last === "." || last === "..") && out.length > 0 ? "/" : "";
  return `/${out.join("/")}${trailing}`;
}

/**
 * Decode percent escapes. With `keepReserved`, escapes of characters that change a
 * path's structure (`/ \ ? # % ;`) stay encoded (uppercased), so `/%61dmin` reads as
 * `/admin` while `a%2Fb` stays one segment in this reading.
 */
function decodePath(path: string, keepReserved: boolean): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.match(/%[0-9A-Fa-f]{2}/g)!.map((e) => parseInt(e.slice(1), 16)));
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return run.toUpperCase();
    }
    if (!keepReserved) return text;
    return [...text]
      .map((ch) => (/[/\\?#%;]/.test(ch) || ch.charCodeAt(0) < 0x21 ? encodeURIComponent(ch).toUpperCase() : ch))
      .join("");
  });
}
