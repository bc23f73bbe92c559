/**
 * One query, unclamped: pick the rules for the tool, read the target by its kind,
 * apply the built-in protections, fall back to the defaults.
 */
import { atLeast, builtIn, fromDefault, fromRules } from "./decisions.js";
import { decideCommandLine } from "./decide-command.js";
import { globMatches } from "./glob.js";
import { inferTargetKind } from "./infer.js";
import type { MatchMode } from "./match-mode.js";
import { isAbsolutePattern, pathRuleMatches, resolvePath } from "./match-path.js";
import { pathRuleIndex } from "./path-index.js";
import { floorDecision } from "../boundary/floor.js";
import {
  looksLikeUrlPattern,
  normaliseHostTarget,
  normaliseUrl,
  parseUrlPattern,
  type UrlPattern,
  urlMatches,
} from "./match-url.js";
import type { Decision, PermissionsDefaults, PolicyQuery, Rule } from "./types.js";

export interface QueryContext {
  rules: readonly Rule[];
  defaults: PermissionsDefaults;
  root: string;
}

export function modeOf(rule: Rule): MatchMode {
  return rule.tier === "allow" ? "strict" : "generous";
}

export function toolMatches(rule: Rule, tool: string): boolean {
  return globMatches(rule.tool, tool, { caseInsensitive: modeOf(rule) === "generous" });
}

/** `browser.*`, `*`, `browser.{a,b}`: a pattern rather than one tool's name. */
function isToolGlob(pattern: string): boolean {
  return /[*?{]/.test(pattern);
}

/*
 * The rules that name a tool depend only on the rule list and the tool id: a policy keeps its list for its
 * lifetime, so the filtering (a regular expression per rule) is done once per tool, not once per call
 * (issue 13 item 1: with 2,000 rules it was most of a decision).
 */
const rulesByTool = new WeakMap<readonly Rule[], Map<string, readonly Rule[]>>();

function rulesFor(all: readonly Rule[], tool: string, namedAllowOnly: boolean | undefined): readonly Rule[] {
  let byTool = rulesByTool.get(all);
  if (!byTool) rulesByTool.set(all, (byTool = new Map()));
  const key = `${namedAllowOnly ? "1" : "0"}${tool}`;
  let rules = byTool.get(key);
  if (!rules) {
    rules = all.filter((r) => toolMatches(r, tool) && !(namedAllowOnly && r.tier === "allow" && isToolGlob(r.tool)));
    if (byTool.size > 1_000) byTool.clear();
    byTool.set(key, rules);
  }
  return rules;
}

export function decideQuery(ctx: QueryContext, query: PolicyQuery): Decision {
  const rules = rulesFor(ctx.rules, query.tool, query.namedAllowOnly);
  const target = query.target;
  if (target === undefined) {
    const subject = `${query.tool} (no target)`;
    return (
      fromRules(
        rules.filter((r) => r.specifier === undefined),
        subject,
      ) ?? fromDefault(ctx.defaults, query.effect, subject)
    );
  }
  const kind = query.targetKind ?? inferTargetKind(query.tool, target);
  let decision: Decision;
  if (kind === "command")
    decision = decideCommandLine(
      {
        defaults: ctx.defaults,
        rules: rules.filter((r) => !r.specifier || !looksLikeUrlPattern(r.specifier)),
        modeOf,
        decide: (q) => decideQuery(ctx, q),
        root: ctx.root,
      },
      query,
      target,
    );
  else if (kind === "path") decision = decidePath(ctx, query, target, rules);
  else if (kind === "url") decision = decideUrl(ctx, query, target, rules);
  else decision = decideText(ctx, query, target, rules);

  const allowedControls = kind === "command" ? /[\t\n]/g : /\t/g;
  if (/[\p{Cc}\p{Cf}]/u.test(target.replace(allowedControls, "")) && kind !== "url")
    decision = atLeast(
      decision,
      "confirm",
      `${query.tool} ${JSON.stringify(target)}: the target holds invisible or control characters`,
    );
  return decision;
}

function decidePath(ctx: QueryContext, query: PolicyQuery, target: string, rules: readonly Rule[]): Decision {
  const subject = `${query.tool} ${target}`;
  const path = resolvePath(target, ctx.root);
  // The floor (boundary/floor.ts) comes before every rule: no rule, stage or approval lowers it.
  const floor = floorDecision(path, query.effect, subject);
  if (floor) return floor;
  const index = pathRuleIndex(rules);
  if (!path.inside) {
    const named = index.all.filter(
      (r) => r.specifier && isAbsolutePattern(r.specifier) && pathRuleMatches(r.specifier, path, modeOf(r)),
    );
    const d = fromRules(named, subject);
    if (!d)
      return builtIn(
        "forbidden",
        `built-in: ${subject} is outside the worksite (${path.real}) and no rule with an absolute path names it`,
      );
    return atLeast(
      d,
      query.effect === "read" ? "read-only" : "confirm",
      `${subject} is outside the worksite, where nothing is allow`,
    );
  }
  const matched = index.candidates(path).filter((r) => !r.specifier || pathRuleMatches(r.specifier, path, modeOf(r)));
  return fromRules(matched, subject) ?? fromDefault(ctx.defaults, query.effect, subject);
}

const urlPatterns = new WeakMap<Rule, UrlPattern | null>();

/** A rule's URL pattern; a specifier without a scheme (`*.example.com/**`) means http or https. */
export function urlPatternOf(rule: Rule): UrlPattern | undefined {
  if (!rule.specifier) return undefined;
  let p = urlPatterns.get(rule);
  if (p === undefined) {
    const spec = rule.specifier.trim();
    p = parseUrlPattern(looksLikeUrlPattern(spec) ? spec : `*://${spec}`) ?? null;
    urlPatterns.set(rule, p);
  }
  return p ?? undefined;
}

function decideUrl(ctx: QueryContext, query: PolicyQuery, target: string, rules: readonly Rule[]): Decision {
  const subject = `${query.tool} ${target}`;
  const url = normaliseUrl(target);
  if (!url) {
    const d =
      fromRules(
        rules.filter((r) => !r.specifier),
        subject,
      ) ?? fromDefault(ctx.defaults, query.effect, subject);
    return atLeast(d, "confirm", `${subject}: not a URL worksite can read`);
  }
  const matched = rules.filter((r) => {
    if (!r.specifier) return true;
    const p = urlPatternOf(r);
    return p !== undefined && urlMatches(p, url, modeOf(r));
  });
  const d =
    fromRules(matched, `${query.tool} ${url.href}`) ??
    fromDefault(ctx.defaults, query.effect, `${query.tool} ${url.href}`);
  const web = url.scheme === "http" || url.scheme === "https" || url.href === "about:blank";
  if (web || matched.some((r) => r.specifier && urlPatternOf(r)?.schemes.includes(url.scheme))) return d;
  return atLeast(
    d,
    "confirm",
    `${subject}: a ${url.scheme}: address is not a web page; only a rule naming ${url.scheme}: or a person can allow it`,
  );
}

function decideText(ctx: QueryContext, query: PolicyQuery, target: string, rules: readonly Rule[]): Decision {
  const subject = `${query.tool} ${target}`;
  const url = looksLikeUrlPattern(target) ? normaliseUrl(target) : undefined;
  // A plugin tool that did not say its target is a path may still write one: the floor reads it as a path too.
  const floor =
    url === undefined && target.trim() !== ""
      ? floorDecision(resolvePath(target, ctx.root), query.effect, subject)
      : undefined;
  if (floor) return floor;
  // `net.*` targets are hosts: `127.0.0.1`, `[::1]` and `0x7f.1` are the rule's `localhost`, `EVIL.com.` its `evil.com`.
  const host = /^net\./i.test(query.tool) ? normaliseHostTarget(target) : undefined;
  const matched = rules.filter((r) => {
    if (!r.specifier) return true;
    if (looksLikeUrlPattern(r.specifier)) {
      const p = urlPatternOf(r);
      return url !== undefined && p !== undefined && urlMatches(p, url, modeOf(r));
    }
    const options = { caseInsensitive: modeOf(r) === "generous" };
    if (globMatches(r.specifier, target, options)) return true;
    if (host === undefined) return false;
    const spec = /[*?]/.test(r.specifier) ? r.specifier.toLowerCase() : normaliseHostTarget(r.specifier);
    // A rule without a port names the host on every port.
    return (
      spec !== undefined &&
      (globMatches(spec, host, options) ||
        (!/:\d+$/.test(spec) && globMatches(spec, host.replace(/:\d+$/, ""), options)))
    );
  });
  return fromRules(matched, subject) ?? fromDefault(ctx.defaults, query.effect, subject);
}
