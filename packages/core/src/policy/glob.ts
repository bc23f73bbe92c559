/**
 * Glob patterns as used in PERMISSIONS.md rules.
 *
 * - `separator: "/"` (paths, URL paths): `*` and `?` stay inside one segment,
 *   `**` crosses segments, and a trailing `/**` also matches the folder itself
 *   (`src/**` matches `src`), so a rule on a folder cannot be dodged by naming
 *   the folder.
 * - `separator: undefined` (tool ids, free text): `*` matches any run of
 *   characters, dots included, so `browser.*` covers every browser tool.
 */
export interface GlobOptions {
  separator?: "/";
  caseInsensitive?: boolean;
  /** With separator "/": a pattern without a slash matches a file name at any depth, as .gitignore does (`*.css`). */
  matchBase?: boolean;
}

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string, options: GlobOptions = {}): RegExp {
  const key = `${options.separator ?? ""}|${options.caseInsensitive ? "i" : ""}|${options.matchBase ? "b" : ""}|${glob}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const base = options.separator && options.matchBase && !glob.includes("/");
  const source = options.separator ? `${base ? "(?:.*/)?" : ""}${pathGlobSource(glob)}` : textGlobSource(glob);
  const re = new RegExp(`^${source}$`, options.caseInsensitive ? "iu" : "u");
  cache.set(key, re);
  return re;
}

export function globMatches(glob: string, text: string, options: GlobOptions = {}): boolean {
  return globToRegExp(glob, options).test(text);
}

export function hasGlobChars(text: string): boolean {
  return /[*?]/.test(text);
}

function textGlobSource(glob: string): string {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += escapeRegExp(ch);
  }
  return out;
}

function pathGlobSource(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      const before = i === 0 || glob[i - 1] === "/";
      const after = glob[i + 2];
      if (before && after === "/") {
        // `**/` : zero or more whole segments
        out += "(?:[^/]*(?:/[^/]*)*/)?";
        i += 2;
      } else if (before && after === undefined && out.endsWith("/")) {
        // trailing `/**` : the folder itself or anything below it
        out = `${out.slice(0, -1)}(?:/.*)?`;
        i += 1;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "{" && glob.indexOf("}", i) > i) {
      // `{a,b}` alternates plain names (`*.{ts,tsx}`); the parts are literal.
      const end = glob.indexOf("}", i);
      out += `(?:${glob
        .slice(i + 1, end)
        .split(",")
        .map(escapeRegExp)
        .join("|")})`;
      i = end;
    } else out += escapeRegExp(ch);
  }
  return out;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}
