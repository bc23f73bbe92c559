/**
 * Cheap measures of "does this look random", used by the rules that cannot
 * rely on a fixed prefix (generic assignments, bare Bearer tokens).
 */

/** Shannon entropy in bits per character. A random base62 string of 32 chars scores about 4.7; English words about 2.5–3. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower, upper, digit, other appear. */
export function charClasses(value: string): number {
  let n = 0;
  if (/[a-z]/.test(value)) n++;
  if (/[A-Z]/.test(value)) n++;
  if (/[0-9]/.test(value)) n++;
  if (/[^a-zA-Z0-9]/.test(value)) n++;
  return n;
}

/**
 * Values that documentation and templates use in place of a secret. They are
 * not reported: flagging `password = "changeme"` in a README teaches people to
 * ignore the scanner, and redacting it hides nothing.
 */
const PLACEHOLDER_WORDS =
  /^(?:x+|\*+|\.+|-+|_+|0+|null|none|nil|undefined|true|false|string|number|boolean|example|sample|dummy|test|testing|changeme|change[-_]?me|password|passwd|secret|token|apikey|api[-_]?key|your[-_ ]?[\w-]*|redacted|hidden|placeholder|todo|tbd|fixme|foo|bar|baz|qux|admin|root|user|username|guest|default|required|optional|value|[\w-]+[-_]here)$/i;

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  // Template and variable references: ${X}, $X, {{x}}, <x>, %s, %(x)s, [REDACTED:…]
  if (/^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$|^\{\{.*\}\}$|^<[^>]*>$|^%[sd]$|^%\([\w-]+\)s$|^\[REDACTED(?::[\w-]+)?\]$/.test(v))
    return true;
  if (/^(?:process\.env|os\.environ|env)\b/.test(v)) return true;
  // The same character repeated, or a run like "abcdef…" / "123456…".
  if (/^(.)\1+$/.test(v)) return true;
  if (/^(?:0123456789|123456789|abcdefghij|1234)/i.test(v) && shannonEntropy(v) < 3.5) return true;
  return false;
}

/** A random-looking credential: long enough, varied enough and not a placeholder. */
export function looksRandom(value: string, minLength = 16): boolean {
  if (value.length < minLength || isPlaceholder(value)) return false;
  const classes = charClasses(value);
  const entropy = shannonEntropy(value);
  // Hex digests and uuids have only two classes but high entropy per char.
  if (/^[0-9a-f-]+$/i.test(value)) return value.length >= 20 && entropy >= 3.0;
  if (classes < 2) return false;
  return entropy >= (value.length >= 24 ? 3.3 : 3.0);
}

/**
 * A password is judged more leniently than a token: people choose short ones.
 * Reported when it is not a placeholder and either mixes two character classes
 * (`hunter2`) or is long (`correct horse battery`). A single dictionary-looking
 * word under 12 characters (`mypassword`) is let through; see README.
 */
export function looksLikePassword(value: string): boolean {
  if (value.length < 6 || isPlaceholder(value)) return false;
  return charClasses(value) >= 2 || value.length >= 12;
}
