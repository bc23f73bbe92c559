import { base64Findings, foldedFindings, type HiddenFinding, pemBodyFindings, percentFindings } from "./hidden.js";
import { knownValueFindings } from "./known-values.js";
import { rules, type SecretRule } from "./rules.js";
import type { SecretFinding } from "./types.js";

interface Candidate {
  kind: string;
  start: number;
  end: number;
  priority: number;
}

/**
 * Every secret in `text`, in order, without overlaps. Synchronous and
 * allocation-light: the audit log calls it on every append.
 */
export function scanSecrets(text: string, ruleSet: readonly SecretRule[] = rules): SecretFinding[] {
  if (text.length < 8) return [];
  const blobs = text.length > MAX_READ_RUN ? longRuns(text) : [];
  if (blobs.length) return scanAround(text, blobs, ruleSet);
  try {
    return scanWith(text, ruleSet);
  } catch (error) {
    // Some other shape of text overflowed an expression's backtracking stack. What cannot be read is
    // treated as a secret: redacted whole, refused by memory, never let through unread.
    if (!(error instanceof RangeError)) throw error;
    return withPositions(text, [{ kind: "unscannable", start: 0, end: text.length, priority: 0 }]);
  }
}

/**
 * Runs of base64 characters longer than this are not read but reported as `unscannable`: a run of about
 * 6 million overflows the expressions' backtracking stack (Node 20 and 24 alike), and no rule can match
 * inside a run anyway (each wants a boundary), so such a blob is redacted whole, the text around it read.
 */
const MAX_READ_RUN = 4_000_000;

function isTokenChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 43 ||
    c === 47 ||
    c === 95 ||
    c === 45
  );
}

function longRuns(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && isTokenChar(text.charCodeAt(i))) continue;
    if (i - start > MAX_READ_RUN) out.push({ start, end: i });
    start = i + 1;
  }
  return out;
}

/** Each blob as one `unscannable` finding, and the text between blobs scanned as usual. */
function scanAround(
  text: string,
  blobs: { start: number; end: number }[],
  ruleSet: readonly SecretRule[],
): SecretFinding[] {
  const found: Candidate[] = [];
  let at = 0;
  for (const blob of [...blobs, { start: text.length, end: text.length }]) {
    for (const f of scanSecrets(text.slice(at, blob.start), ruleSet))
      found.push({ kind: f.kind, start: at + f.start, end: at + f.end, priority: 0 });
    if (blob.end > blob.start) found.push({ kind: "unscannable", start: blob.start, end: blob.end, priority: 0 });
    at = blob.end;
  }
  return withPositions(text, found);
}

function scanWith(text: string, ruleSet: readonly SecretRule[]): SecretFinding[] {
  const candidates = ruleCandidates(text, ruleSet);
  if (ruleSet === rules) {
    // What the rules cannot see as written: the worksite's own key, encoded tokens, split or
    // zero-width tokens, headerless PEM bodies. Named after the rules' own findings.
    const hidden = (found: HiddenFinding[], priority: number) => {
      for (const f of found) candidates.push({ ...f, priority });
    };
    hidden(knownValueFindings(text), -1);
    const plain = (t: string) => resolveOverlaps(ruleCandidates(t, rules));
    hidden(pemBodyFindings(text), rules.length);
    hidden(
      foldedFindings(text, (t) => resolveOverlaps(ruleCandidates(t, TOKEN_RULES))),
      rules.length + 1,
    );
    hidden(base64Findings(text, plain), rules.length + 2);
    hidden(percentFindings(text, plain), rules.length + 3);
  }
  if (candidates.length === 0) return [];
  return withPositions(text, resolveOverlaps(candidates));
}

/**
 * Kinds known by a fixed prefix or shape: safe to look for in text whose line
 * breaks and invisible characters were folded away (a context rule such as a
 * `key = value` assignment would join unrelated lines).
 */
const TOKEN_KINDS = new Set([
  "openssh-private-key",
  "private-key",
  "aws-access-key-id",
  "gcp-api-key",
  "google-oauth-client-secret",
  "google-oauth-access-token",
  "azure-client-secret",
  "github-token",
  "gitlab-token",
  "slack-token",
  "slack-webhook",
  "stripe-key",
  "anthropic-api-key",
  "openai-api-key",
  "npm-token",
  "jwt",
  "sendgrid-api-key",
  "digitalocean-token",
  "discord-webhook",
  "telegram-bot-token",
  "huggingface-token",
  "shopify-token",
]);
const TOKEN_RULES = rules.filter((r) => TOKEN_KINDS.has(r.kind));

function ruleCandidates(text: string, ruleSet: readonly SecretRule[]): Candidate[] {
  const lower = text.toLowerCase();
  const candidates: Candidate[] = [];
  ruleSet.forEach((rule, priority) => {
    if (rule.keywords && !rule.keywords.some((k) => lower.includes(k))) return;
    rule.pattern.lastIndex = 0;
    for (const m of text.matchAll(rule.pattern)) {
      const range = secretRange(m);
      const secret = text.slice(range[0], range[1]);
      const verdict = rule.check ? rule.check(secret, m, text) : true;
      if (verdict === false) continue;
      candidates.push({
        kind: typeof verdict === "string" ? verdict : rule.kind,
        start: range[0],
        end: range[1],
        priority,
      });
    }
  });
  return candidates;
}

/** Replace every secret with `[REDACTED:<kind>]`. */
export function redactSecrets(text: string): string {
  const findings = scanSecrets(text);
  if (findings.length === 0) return text;
  let out = "";
  let at = 0;
  for (const f of findings) {
    out += `${text.slice(at, f.start)}[REDACTED:${f.kind}]`;
    at = f.end;
  }
  return out + text.slice(at);
}

function secretRange(m: RegExpExecArray): [number, number] {
  const groups = m.indices?.groups;
  const part = groups?.secret ?? groups?.bare;
  if (part) return part;
  return [m.index, m.index + m[0].length];
}

/**
 * The more specific rule names a secret; a less specific match that reaches
 * beyond it widens the range, so redaction always covers the union of what
 * any rule found.
 */
function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  candidates.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const accepted: Candidate[] = [];
  for (const c of candidates) {
    const hit = accepted.find((a) => c.start < a.end && a.start < c.end);
    if (!hit) accepted.push({ ...c });
    else {
      hit.start = Math.min(hit.start, c.start);
      hit.end = Math.max(hit.end, c.end);
    }
  }
  accepted.sort((a, b) => a.start - b.start);
  const merged: Candidate[] = [];
  for (const c of accepted) {
    const last = merged.at(-1);
    if (last && c.start < last.end) {
      last.end = Math.max(last.end, c.end);
      if (c.priority < last.priority) {
        last.kind = c.kind;
        last.priority = c.priority;
      }
    } else merged.push(c);
  }
  return merged;
}

function withPositions(text: string, found: Candidate[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  let line = 1;
  let lineStart = 0;
  let at = 0;
  for (const f of found) {
    for (; at < f.start; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    out.push({ kind: f.kind, start: f.start, end: f.end, line, column: f.start - lineStart + 1 });
  }
  return out;
}
