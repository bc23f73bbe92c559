/**
 * Whether a field or variable name says its value is a credential, whatever
 * the value looks like. Judged by the name's words (camelCase, snake_case,
 * kebab-case and dotted names are split), mostly by the last word, so that
 * `accessToken` and `DB_PASSWORD` are sensitive but `maxTokens`,
 * `tokenCount`, `secretName` and `passwordHint` are not.
 */

const PASSWORD_WORDS = new Set(["password", "passwd", "pwd", "pass", "passphrase", "passcode"]);
/**
 * Names that glue a prefix onto the word, as environment variables do: `PGPASSWORD`, `SSHPASS`,
 * `REDISPASSWORD`. Only the long words: a glued "pass" is usually not one (`bypass`, `compass`).
 */
const GLUED_PASSWORD = /^(?:[a-z0-9]+(?:password|passwd|passphrase)|sshpass)$/;
const SECRET_LAST = new Set([
  "secret",
  "token",
  "apikey",
  "credential",
  "credentials",
  "auth",
  "authorization",
  "cookie",
  "pat",
  "sas",
]);
/** Last words that mean "a key" only with a qualifier: `apiKey`, `SECRET_KEY_BASE`, not `sortKey`, `i18nKey`. */
const KEY_LAST = new Set(["key", "keys", "base", "value", "string", "str", "data", "text"]);
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "secret",
  "private",
  "signing",
  "sign",
  "encryption",
  "encrypt",
  "master",
  "account",
  "auth",
  "client",
  "app",
  "license",
  "service",
  "storage",
  "subscription",
  "webhook",
  "session",
  "admin",
  "shared",
  "token",
  "password",
  "passwd",
  "openai",
  "anthropic",
  "stripe",
  "github",
  "gitlab",
  "slack",
  "twilio",
  "sendgrid",
  "mailgun",
  "heroku",
  "aws",
  "gcp",
  "azure",
  "google",
  "firebase",
  "algolia",
  "mapbox",
  "datadog",
  "sentry",
  "pusher",
  "cloudflare",
  "jwt",
  "hmac",
  "consumer",
  "bot",
]);
/** Qualifiers that only make a secret of "key"/"keys", not of "value"/"data"/"base". */
const STRONG_QUALIFIERS = new Set(["secret", "password", "passwd", "token", "private"]);

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** "password" or "secret" when the name marks a credential; undefined otherwise. */
export function sensitiveKeyKind(name: string): "password" | "secret" | undefined {
  const words = nameWords(name);
  const last = words.at(-1);
  if (last === undefined) return undefined;
  if (PASSWORD_WORDS.has(last) || GLUED_PASSWORD.test(last)) return "password";
  if (SECRET_LAST.has(last)) return "secret";
  if (KEY_LAST.has(last) && words.length >= 2) {
    const qualifiers = words.slice(0, -1);
    const isKey = last === "key" || last === "keys";
    const qualified = qualifiers.some((w) => (isKey ? KEY_QUALIFIERS.has(w) : STRONG_QUALIFIERS.has(w)));
    if (qualified) return qualifiers.some((w) => PASSWORD_WORDS.has(w)) ? "password" : "secret";
  }
  return undefined;
}
