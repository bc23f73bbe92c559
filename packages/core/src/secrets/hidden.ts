export interface HiddenFinding {
  kind: string;
  start: number;
  end: number;
}

type Scan = (text: string) => readonly { kind: string; start: number; end: number }[];

/** Longest encoded run decoded: longer blobs are screenshots and archives, not tokens. */
const MAX_RUN = 8192;

/** Mostly printable text: what an encoded token or .env file decodes to (random bytes do not). */
function printable(s: string): boolean {
  if (s.length < 12) return false;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13) ok++;
  }
  return ok / s.length >= 0.95;
}

/**
 * Base64 of ASCII text: each 4-character group starts with a byte below 0x80, so its
 * first character is one of A–Z, a–f. A cheap test that skips paths, identifiers and
 * random blobs without decoding them.
 */
function mayBeText(run: string): boolean {
  for (let i = 0; i + 4 <= run.length; i += 4) {
    const c = run.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Runs of base64 or base64url that decode to text holding a secret. */
export function base64Findings(text: string, scan: Scan): HiddenFinding[] {
  const out: HiddenFinding[] = [];
  // `base64` wraps its output at 76 characters: a block of such lines is one run.
  for (const m of text.matchAll(
    /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{24,}(?:\r?\n[A-Za-z0-9+/_-]{2,})*={0,2}(?![A-Za-z0-9+/_=-])/g,
  )) {
    const run = m[0].replace(/\s+/g, "");
    if (run.length > MAX_RUN || !/[0-9+/_-]|[a-z][A-Z]|[A-Z][a-z]/.test(run) || !mayBeText(run)) continue;
    const decoded = Buffer.from(run, "base64").toString("latin1");
    if (!printable(decoded)) continue;
    const inner = scan(decoded);
    if (inner.length) out.push({ kind: inner[0]!.kind, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Runs with percent escapes that decode (once or twice) to text holding a secret. */
export function percentFindings(text: string, scan: Scan): HiddenFinding[] {
  if (!text.includes("%")) return [];
  const out: HiddenFinding[] = [];
  // Anchored at the start of a run, so a long run without escapes is read once, not once per character.
  for (const m of text.matchAll(
    /(?<![A-Za-z0-9._~+\-%])[A-Za-z0-9._~+-]*%[0-9A-Fa-f]{2}(?:[A-Za-z0-9._~+-]|%[0-9A-Fa-f]{2})*/g,
  )) {
    if (m[0].length < 16 || m[0].length > MAX_RUN) continue;
    let decoded = m[0];
    for (let round = 0; round < 2 && /%[0-9A-Fa-f]{2}/.test(decoded); round++) {
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        break;
      }
      const inner = scan(decoded);
      if (inner.length) {
        out.push({ kind: inner[0]!.kind, start: m.index, end: m.index + m[0].length });
        break;
      }
    }
  }
  return out;
}

/**
 * Zero-width and other invisible format characters anywhere, and line breaks
 * (with the indentation after them) between two token characters: what can
 * sit inside a token without a reader noticing.
 */
const INVISIBLE = /\p{Cf}+|(?<=[A-Za-z0-9_\-+/=.])\r?\n[ \t]*(?=[A-Za-z0-9_\-+/=.])/gu;

/**
 * The text with those taken out, so `ghp_ab\u200Bcd…` and a token wrapped over
 * two lines read whole; `original(i)` maps an index of the folded text back.
 * Undefined when nothing was taken out.
 */
export function foldHidden(text: string): { folded: string; original: (i: number) => number } | undefined {
  let folded = "";
  let from = 0;
  let removed = 0;
  // cuts[k]: from folded index cuts[k].at on, add cuts[k].shift to reach the original.
  const cuts: { at: number; shift: number }[] = [];
  for (const m of text.matchAll(INVISIBLE)) {
    folded += text.slice(from, m.index);
    removed += m[0].length;
    cuts.push({ at: folded.length, shift: removed });
    from = m.index + m[0].length;
  }
  if (cuts.length === 0) return undefined;
  folded += text.slice(from);
  const original = (i: number) => {
    let lo = 0;
    let hi = cuts.length - 1;
    let shift = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cuts[mid]!.at <= i) {
        shift = cuts[mid]!.shift;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return i + shift;
  };
  return { folded, original };
}

/** Secrets found only once invisible characters and line breaks inside tokens are folded away. */
export function foldedFindings(text: string, scan: Scan): HiddenFinding[] {
  const view = foldHidden(text);
  if (!view) return [];
  const out: HiddenFinding[] = [];
  for (const f of scan(view.folded)) {
    const start = view.original(f.start);
    const end = view.original(f.end - 1) + 1;
    // Only what the folding joined: a finding that was whole in the text is found there already.
    if (end - start !== f.end - f.start) out.push({ kind: f.kind, start, end });
  }
  return out;
}

/**
 * Is this DER the start of a private key? PKCS#1 (RSA, DSA) and PKCS#8 start
 * `SEQUENCE { INTEGER 0, …`; SEC1 EC keys and PKCS#8 v2 `SEQUENCE { INTEGER 1, …`;
 * PKCS#12 stores `SEQUENCE { INTEGER 3, SEQUENCE …`. Certificates and public keys
 * start `SEQUENCE { SEQUENCE …` or `SEQUENCE { INTEGER <long modulus>` and do not match.
 */
function privateKeyDer(b: Buffer): boolean {
  if (b[0] !== 0x30) return false;
  const l = b[1] ?? 0;
  const i = l < 0x80 ? 2 : l >= 0x81 && l <= 0x83 ? 2 + (l - 0x80) : -1;
  if (i < 0 || b[i] !== 0x02 || b[i + 1] !== 0x01) return false;
  const version = b[i + 2];
  const next = b[i + 3];
  return (
    (version === 0 && (next === 0x30 || next === 0x02)) ||
    (version === 1 && (next === 0x04 || next === 0x30)) ||
    (version === 3 && next === 0x30)
  );
}

const OPENSSH_MAGIC = "b3BlbnNzaC1rZXktdjE";

/** A PEM body (lines of base64) whose bytes are a private key, with or without its BEGIN line. */
export function pemBodyFindings(text: string): HiddenFinding[] {
  const out: HiddenFinding[] = [];
  const body =
    /(?<![A-Za-z0-9+/=])(?:M[A-Za-z0-9+/]{39,}|b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/]{21,})={0,2}(?:(?:\r?\n|\\(?:r\\)?n)[ \t]*[A-Za-z0-9+/]{4,}={0,2}(?![A-Za-z0-9_-]))*/g;
  for (const m of text.matchAll(body)) {
    const head = m[0].replace(/\\[rn]|\s/g, "").slice(0, 24);
    const openssh = head.startsWith(OPENSSH_MAGIC);
    if (!openssh && !privateKeyDer(Buffer.from(head, "base64"))) continue;
    let end = m.index + m[0].length;
    const tail = /^(?:\r?\n|\\(?:r\\)?n)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/.exec(text.slice(end));
    if (tail) end += tail[0].length;
    out.push({ kind: openssh ? "openssh-private-key" : "private-key", start: m.index, end });
  }
  return out;
}
