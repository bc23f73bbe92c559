/**
 * Path rules. A target is resolved inside the worksite twice: lexically (what the
 * string says) and as the kernel would (symlinks on the existing prefix followed,
 * `..` applied after a symlink, not before). Restrictive rules match if either
 * reading matches; allow rules must match the kernel's reading, where the file
 * really is. Backslashes count as separators on every
 * system, so `src\..\..\x` cannot dodge a rule by being one odd file name.
 *
 * Pattern syntax: relative globs (`src/**`, `docs/*.md`) match paths inside the
 * worksite; a pattern with no glob characters names that path and everything below
 * it; absolute patterns (`/etc/**`) are the only ones that can name a path outside.
 */
import { lstatSync, readlinkSync } from "node:fs";
import { homedir } from "node:os";
import { posix } from "node:path";
import { globToRegExp, hasGlobChars } from "./glob.js";
import type { MatchMode } from "./match-mode.js";

export interface ResolvedPath {
  /** Absolute, lexically resolved. */
  lexical: string;
  /** Absolute, resolved as the kernel would (symlinks followed). */
  real: string;
  /** Relative to the worksite, posix, "" for the root; undefined when that reading is outside. */
  relLexical?: string;
  relReal?: string;
  /** Where the file system would actually put it: inside the worksite or not. */
  inside: boolean;
}

/** A path's NFC readings (readingsOf), kept on the path object: a WeakMap entry per decided path was garbage the collector paid for on every call. */
const NFC = Symbol("nfc readings");

export function resolvePath(target: string, root: string): ResolvedPath {
  // `~` is read as the home folder, as a shell would: a tool that expands it must not land outside unseen.
  const slashed = target.replace(/\\/g, "/");
  const cleaned = slashed.startsWith("~") ? slashed.replace(/^~(?=\/|$)/, homedir().replace(/\\/g, "/")) : slashed;
  const lexicalRoot = posix.resolve(root);
  const realRoot = realRootOf(lexicalRoot);
  const lexical = posix.resolve(lexicalRoot, cleaned);
  // Join without collapsing `..`: the kernel applies `..` after following a symlink.
  // A relative target starts from the root's real path: the kernel follows the root's symlinks first too.
  const real = cleaned.startsWith("/") ? kernelResolve(cleaned) : kernelResolve(cleaned, realRoot);
  const relLexical = relativeInside(lexicalRoot, lexical);
  const relReal = relativeInside(realRoot, real) ?? relativeInside(lexicalRoot, real);
  // The NFC readings' slot is there from the start, so filling it later keeps the object's shape.
  return { lexical, real, relLexical, relReal, inside: relReal !== undefined, [NFC]: undefined } as ResolvedPath;
}

export function isAbsolutePattern(spec: string): boolean {
  return spec.replace(/\\/g, "/").startsWith("/");
}

/*
 * What every call repeated (issue 13 item 1): the worksite root's real path and each rule's normalised
 * pattern. Both are kept per process. The target itself is resolved again on every call: a symlink the
 * agent makes between two calls must change the second decision.
 */
const realRoots = new Map<string, string>();
const patterns = new Map<string, { pattern: string; absolute: boolean; strict?: RegExp; generous?: RegExp }>();

/** The root's real path: the root is the person's folder, which no agent tool or command can replace. */
function realRootOf(lexicalRoot: string): string {
  let real = realRoots.get(lexicalRoot);
  if (real === undefined) {
    real = kernelResolve(lexicalRoot);
    if (realRoots.size > 256) realRoots.clear();
    realRoots.set(lexicalRoot, real);
  }
  return real;
}

export function pathRuleMatches(spec: string, path: ResolvedPath, mode: MatchMode): boolean {
  let normal = patterns.get(spec);
  if (!normal) {
    normal = normalisePattern(spec);
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(spec, normal);
  }
  const { pattern, absolute } = normal;
  const generous = mode === "generous";
  const re = generous
    ? (normal.generous ??= globToRegExp(pattern, { separator: "/", caseInsensitive: true }))
    : (normal.strict ??= globToRegExp(pattern, { separator: "/", caseInsensitive: false }));
  const r = readingsOf(path);
  const test = (p: string | undefined) => p !== undefined && re.test(p);
  if (generous) return absolute ? test(r.lexical) || test(r.real) : test(r.relReal) || test(r.relLexicalInside);
  // An allow must hold for where the file system will really put it.
  return test(absolute ? r.real : r.relReal);
}

/** A path's readings in NFC, worked out once per decided path rather than once per rule. */
export type PathReadings = Record<"lexical" | "real" | "relReal" | "relLexicalInside", string | undefined>;
export function readingsOf(path: ResolvedPath): PathReadings {
  const slot = path as ResolvedPath & { [NFC]?: PathReadings };
  let r = slot[NFC];
  if (!r) {
    r = {
      lexical: path.lexical.normalize("NFC"),
      real: path.real.normalize("NFC"),
      relReal: path.relReal?.normalize("NFC"),
      relLexicalInside: path.inside ? path.relLexical?.normalize("NFC") : undefined,
    };
    slot[NFC] = r;
  }
  return r;
}

/** A rule's path pattern as it is matched: NFC, forward slashes, and a plain name widened to `name/**`. */
export function normalisePattern(spec: string): { pattern: string; absolute: boolean } {
  // Composed and decomposed accents are one name (macOS file systems treat them so): compare in NFC.
  let pattern = spec
    .normalize("NFC")
    .trim()
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/");
  const absolute = pattern.startsWith("/");
  if (!absolute) pattern = pattern.replace(/^(\.\/)+/, "");
  if (pattern.length > 1) pattern = pattern.replace(/\/+$/, "");
  if (pattern === "" || pattern === ".") pattern = "**";
  if (!hasGlobChars(pattern)) pattern = pattern === "/" ? "/**" : `${pattern}/**`;
  return { pattern, absolute };
}

/** True when either reading lands in `.worksite/` (in any case or width: some file systems fold them). */
export function inRuntimeState(path: ResolvedPath): boolean {
  return [path.relLexical, path.relReal].some(
    (r) => r !== undefined && /^\.worksite(\/|$)/i.test(r.normalize("NFKC").replace(/\p{Cf}/gu, "")),
  );
}

function relativeInside(root: string, abs: string): string | undefined {
  if (abs === root) return "";
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return abs.startsWith(prefix) ? abs.slice(prefix.length) : undefined;
}

/** realpath for a path whose tail may not exist yet; the missing tail is resolved lexically. */
export function kernelResolve(path: string, from = "/"): string {
  let parts = path.split("/").filter(Boolean);
  let current = from;
  let hops = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === ".") continue;
    if (part === "..") {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, part);
    let isLink: boolean | undefined;
    try {
      // A missing name is the common case for a file about to be written: answered without an exception,
      // whose stack trace cost more than the rest of the decision (issue 13 item 1).
      isLink = lstatSync(next, { throwIfNoEntry: false })?.isSymbolicLink();
    } catch {
      isLink = undefined; // ENOTDIR, EACCES, ENAMETOOLONG: nothing to follow from here on, as for a missing name
    }
    if (isLink === undefined) {
      // Joined first: a path of 100,000 segments must not become 100,000 arguments.
      return posix.resolve(next, parts.slice(i + 1).join("/"));
    }
    if (isLink) {
      if (++hops > 40) return next;
      const link = readlinkSync(next).replace(/\\/g, "/");
      const base = link.startsWith("/") ? link : `${current}/${link}`;
      parts = [...base.split("/").filter(Boolean), ...parts.slice(i + 1)];
      current = "/";
      i = -1;
      continue;
    }
    current = next;
  }
  return current;
}
