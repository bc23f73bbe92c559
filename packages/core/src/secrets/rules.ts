import { isPlaceholder, looksLikePassword, looksRandom } from "./entropy.js";
import { sensitiveKeyKind } from "./sensitive-key.js";

/**
 * One entry per kind of secret. Order is priority: when two rules find the
 * same text, the earlier (more specific) rule names it, so the generic
 * assignment rules come last.
 *
 * Each pattern carries the `g` and `d` flags. When only part of a match is the
 * secret (the value of `api_key = "…"`, the password of a URL), that part is
 * the named group `secret` (or `bare` for unquoted values); otherwise the
 * whole match is.
 *
 * Every pattern that can start inside a long run of token characters begins
 * with a look-behind, so a megabyte of base64 is scanned in linear time.
 */
export interface SecretRule {
  kind: string;
  /** Lower-case substrings; the pattern runs only if the text contains one. A cheap pre-filter. */
  keywords?: readonly string[];
  pattern: RegExp;
  /** Accept or reject a match; a string accepts it under that kind instead. */
  check?: (secret: string, match: RegExpExecArray, text: string) => boolean | string;
}

/** Not preceded by a token character. */
const B = String.raw`(?<![A-Za-z0-9_])`;
/** Not followed by a token character. */
const E = String.raw`(?![A-Za-z0-9_])`;
const re = (source: string, flags = "") => new RegExp(source, `gd${flags}`);
const notPlaceholder = (s: string) => !isPlaceholder(s);

/**
 * A command-line argument value: quoted (the secret is inside the quotes and
 * does not start with a space, so `'--password=' + pw` in code is no match)
 * or bare (up to a space or a shell operator).
 */
const ARG_VALUE = String.raw`(?:(?<q>["'])(?<secret>[^"'\s][^"'\r\n]*)\k<q>|(?<bare>[^\s"'\x60;|&<>]+))`;
/** From a command name to one of its later arguments on the same line (no pipe or `;` between). */
const LATER_ARG = String.raw`(?=\s)[^\r\n;|]{0,1000}?[^\S\r\n]`;
/** A value a shell would expand (`$PW`, `${PW}`, `$(cat pw)`) or an option name, not a password. */
const notArgValue = (s: string) => notPlaceholder(s) && !/^\$[({A-Za-z_]|^-/.test(s);
/** `PASSWORD`, `DB_PASS`: documentation naming the value, not giving it. */
const isUpperName = (s: string) => /^[A-Z][A-Z_]*$/.test(s);
const urlDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
/** A random value with a digit in it: a word or a name (`SUCCESS_RESPONSE`) is not a token. */
const randomWithDigit = (s: string, minLength: number) => /[0-9]/.test(s) && looksRandom(s, minLength);

/** A PEM block with its END line, or a block cut off before it (the lines that look like PEM body). */
const pemBlock = (label: string) =>
  String.raw`-----BEGIN (?<label>${label})-----(?:[\s\S]{0,20000}?-----END \k<label>-----|(?:(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/=]{4,}|[A-Za-z-]+: ?[^\r\n\\]*|(?=\r?\n[A-Za-z0-9+/=]{16,})))*)`;

/** `KEY = value`, `"key": "value"`, `key: value`, `KEY=value` (also inside escaped JSON), with the key as a group. */
const assignment = (key: string, value: string, quoted = value) =>
  String.raw`(?<![A-Za-z0-9_.\-])(?:\\?["'])?(?<key>${key})(?:\\?["'])?[ \t]*(?::=|=>|[:=])[ \t]*(?:\\?(?<q>["'\x60])(?<secret>${quoted})\\?\k<q>|(?<bare>${value})(?=[\s,;)}\]]|$))`;

export const rules: readonly SecretRule[] = [
  {
    kind: "openssh-private-key",
    keywords: ["openssh private key"],
    pattern: re(pemBlock("OPENSSH PRIVATE KEY")),
  },
  {
    kind: "gcp-service-account-key",
    keywords: ["private_key"],
    pattern: re(String.raw`\\?"private_key(?:_id)?\\?"\s*:\s*\\?"(?<secret>(?:[^"\\]|\\[^"])+)\\?"`),
    check: (s, _m, text) => s.length >= 16 && /client_email|service_account/.test(text),
  },
  {
    kind: "private-key",
    keywords: ["private key"],
    pattern: re(pemBlock(String.raw`(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?`)),
  },
  {
    kind: "aws-access-key-id",
    keywords: ["akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "apka"],
    pattern: re(String.raw`${B}(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}${E}`),
  },
  {
    kind: "aws-secret-access-key",
    keywords: ["aws", "secret"],
    pattern: re(
      assignment(
        String.raw`[A-Za-z0-9_.\-]*(?:aws[A-Za-z0-9_.\-]*secret|secret[_.\-]?access[_.\-]?key)[A-Za-z0-9_.\-]*`,
        "[A-Za-z0-9/+=]{40}",
      ),
      "i",
    ),
    check: (s) => looksRandom(s, 40),
  },
  { kind: "gcp-api-key", keywords: ["aiza"], pattern: re(String.raw`${B}AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])`) },
  {
    kind: "google-oauth-client-secret",
    keywords: ["gocspx-"],
    pattern: re(String.raw`${B}GOCSPX-[A-Za-z0-9_\-]{24,}`),
  },
  { kind: "google-oauth-access-token", keywords: ["ya29."], pattern: re(String.raw`${B}ya29\.[A-Za-z0-9_\-]{20,}`) },
  {
    kind: "azure-storage-key",
    keywords: ["accountkey", "sharedaccesskey"],
    pattern: re(String.raw`(?:AccountKey|SharedAccessKey)\s*=\s*(?<secret>[A-Za-z0-9+/]{20,}={0,2})`, "i"),
  },
  {
    kind: "azure-sas-signature",
    keywords: ["sig="],
    pattern: re(String.raw`[?&;]sig=(?<secret>[A-Za-z0-9%+/=]{20,})`),
  },
  {
    kind: "azure-client-secret",
    keywords: ["q~", "azure"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9_~.\-])[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])|` +
        assignment(
          String.raw`[A-Za-z0-9_.\-]*azure[A-Za-z0-9_.\-]*(?:client|app)[A-Za-z0-9_.\-]*secret`,
          String.raw`[A-Za-z0-9_~.\-]{16,}`,
        ),
      "i",
    ),
  },
  {
    kind: "github-token",
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    pattern: re(String.raw`${B}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})${E}`),
  },
  {
    kind: "gitlab-token",
    keywords: [
      "glpat-",
      "gldt-",
      "glrt-",
      "glcbt-",
      "glptt-",
      "glft-",
      "glimt-",
      "glagent-",
      "glsoat-",
      "gloas-",
      "glffct-",
      "gr1348941",
    ],
    pattern: re(
      String.raw`${B}(?:(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat|gloas|glffct)-[A-Za-z0-9_\-]{20,}|GR1348941[A-Za-z0-9_\-]{20,})`,
    ),
  },
  {
    kind: "slack-token",
    keywords: ["xox", "xapp-"],
    pattern: re(String.raw`${B}(?:xox[abposre]|xapp)-[A-Za-z0-9\-]{10,}`),
  },
  {
    kind: "slack-webhook",
    keywords: ["hooks.slack.com"],
    pattern: re(String.raw`hooks\.slack\.com/(?<secret>(?:services|workflows|triggers)/[A-Za-z0-9/_\-]{20,})`),
  },
  {
    kind: "stripe-key",
    keywords: ["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"],
    pattern: re(String.raw`${B}(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{24,})${E}`),
  },
  { kind: "anthropic-api-key", keywords: ["sk-ant-"], pattern: re(String.raw`${B}sk-ant-[A-Za-z0-9_\-]{20,}`) },
  {
    kind: "openai-api-key",
    keywords: ["sk-"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9_\-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])`,
    ),
    // Kebab-case names such as sk-select-option-label-text are not keys: a key mixes digits in and looks random.
    check: (s) => {
      const body = s.replace(/^sk-(?:proj-|svcacct-|admin-)?/, "");
      return /[0-9]/.test(body) && looksRandom(body, 20);
    },
  },
  { kind: "npm-token", keywords: ["npm_"], pattern: re(String.raw`${B}npm_[A-Za-z0-9]{36}${E}`) },
  {
    kind: "npm-auth-token",
    keywords: [":_auth", ":_password"],
    // `//<any registry host>/:_authToken=…` in .npmrc; the host is deliberately not named.
    pattern: re(String.raw`:_(?:authToken|auth|password)\s*=\s*"?(?<secret>[^\s"]+)`),
    check: notPlaceholder,
  },
  {
    kind: "jwt",
    keywords: ["eyj"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*(?![A-Za-z0-9_\-])`,
    ),
    check: (s) => {
      try {
        const header = JSON.parse(Buffer.from(s.slice(0, s.indexOf(".")), "base64url").toString("utf8")) as unknown;
        return typeof header === "object" && header !== null && "alg" in header;
      } catch {
        return false;
      }
    },
  },
  { kind: "twilio-api-key", keywords: ["sk"], pattern: re(String.raw`${B}SK[0-9a-fA-F]{32}${E}`) },
  {
    kind: "sendgrid-api-key",
    keywords: ["sg."],
    pattern: re(String.raw`${B}SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{30,50}`),
  },
  { kind: "mailgun-api-key", keywords: ["key-"], pattern: re(String.raw`${B}key-[0-9a-f]{32}${E}`) },
  {
    kind: "heroku-api-key",
    keywords: ["hrku-", "heroku"],
    pattern: re(
      String.raw`${B}HRKU-[A-Za-z0-9_\-]{20,}|` +
        assignment(
          String.raw`[A-Za-z0-9_.\-]*heroku[A-Za-z0-9_.\-]*(?:key|token)`,
          "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        ),
      "i",
    ),
  },
  {
    kind: "digitalocean-token",
    keywords: ["dop_v1_", "doo_v1_", "dor_v1_"],
    pattern: re(String.raw`${B}do[opr]_v1_[a-f0-9]{64}${E}`),
  },
  {
    kind: "discord-bot-token",
    pattern: re(
      String.raw`(?<![A-Za-z0-9_\-])[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6,7}\.[A-Za-z0-9_\-]{27,40}(?![A-Za-z0-9_\-])`,
    ),
    // The first part is the bot's numeric id in base64.
    check: (s) => /^\d{17,20}$/.test(Buffer.from(s.slice(0, s.indexOf(".")), "base64").toString("latin1")),
  },
  {
    kind: "discord-webhook",
    keywords: ["discord"],
    pattern: re(String.raw`discord(?:app)?\.com/api/webhooks/\d+/(?<secret>[A-Za-z0-9_\-]{20,})`),
  },
  {
    kind: "telegram-bot-token",
    keywords: [":aa"],
    pattern: re(String.raw`(?<![0-9])\d{8,10}:AA[A-Za-z0-9_\-]{33}(?![A-Za-z0-9_\-])`),
  },
  {
    kind: "huggingface-token",
    keywords: ["hf_", "api_org_"],
    pattern: re(String.raw`${B}(?:hf_|api_org_)[A-Za-z0-9]{30,}${E}`),
  },
  {
    kind: "shopify-token",
    keywords: ["shpat_", "shpca_", "shppa_", "shpss_"],
    pattern: re(String.raw`${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`),
  },
  {
    kind: "password-in-url",
    keywords: ["://"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s:@/?#"'<>]*:(?<secret>[^\s@/?#"'<>]+)@[^\s@/"'<>]`,
    ),
    // `https://a.com:443@evil.com` is a host trick, not a password: all-digit "passwords" of up to 5 digits are ports.
    check: (s) => notPlaceholder(s) && !/^\d{1,5}$/.test(s),
  },
  {
    kind: "authorization-header",
    keywords: ["authorization"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9_\-])(?:Proxy-)?Authorization(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?(?:Bearer|Basic|Token|Digest|Bot)\s+(?<secret>[A-Za-z0-9._~+/=\-]{8,})`,
      "i",
    ),
    check: notPlaceholder,
  },
  {
    kind: "bearer-token",
    keywords: ["bearer"],
    pattern: re(String.raw`${B}Bearer\s+(?<secret>[A-Za-z0-9._~+/\-]{20,}=*)`, "i"),
    check: (s) => looksRandom(s, 20),
  },
  {
    // `mysql -u root -pS3cret` (also mysqldump, mysqladmin, mariadb…): the password glued to -p. A bare `-p` prompts.
    kind: "mysql-password-flag",
    keywords: ["mysql", "mariadb"],
    pattern: re(String.raw`${B}(?:mysql|mariadb)[A-Za-z0-9_\-]*${LATER_ARG}-p${ARG_VALUE}`),
    check: notArgValue,
  },
  {
    // `sshpass -p S3cret ssh host`: sshpass takes the password as an argument, spaced or glued.
    kind: "sshpass-password",
    keywords: ["sshpass"],
    pattern: re(String.raw`${B}sshpass${LATER_ARG}-p[^\S\r\n]*${ARG_VALUE}`),
    check: notArgValue,
  },
  {
    // `--password=…`, `--password …`, `--db-password …`, openssl `-passin pass:…`, keytool `-storepass …`.
    kind: "password-flag",
    keywords: ["pass"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9_\-])(?:--(?!no-)(?:[A-Za-z]+-)*(?:password|passwd|passphrase)(?<eq>=)?|-(?:src|dest|new)?(?:store|key)pass|-pass(?:in|out)?[^\S\r\n]+(?<eq2>pass:))` +
        String.raw`(?:(?<=[=:])|[^\S\r\n]+)${ARG_VALUE}`,
    ),
    // After `=` the value is given on purpose; after a space it may be prose ("the --password option"), so judge it.
    check: (s, m) =>
      notArgValue(s) && !isUpperName(s) && (m.groups?.eq || m.groups?.eq2 ? s.length >= 4 : looksLikePassword(s)),
  },
  {
    // `curl -u user:pw`, `--user user:pw`, `-U`/`--proxy-user`: only the password part is redacted.
    kind: "curl-user-password",
    keywords: ["curl"],
    pattern: re(
      String.raw`${B}curl${LATER_ARG}(?:-[uU][^\S\r\n]*|--(?:proxy-)?user(?:=|[^\S\r\n]+))` +
        String.raw`(?:(?<q>["'])[^"'\r\n:]*:(?<secret>[^"'\r\n]+)\k<q>|[^\s"'\x60:;|&<>]*:(?<bare>[^\s"'\x60;|&<>]+))`,
    ),
    check: notArgValue,
  },
  {
    // `?token=…`, `&access_token=…`, `#access_token=…` (implicit flow), `&amp;sig=…`: credentials in a URL query.
    kind: "url-query-credential",
    keywords: ["token=", "key=", "sig=", "signature=", "secret=", "password=", "passwd=", "pwd="],
    pattern: re(
      String.raw`[?&#;](?<key>(?:access|refresh|id|auth|private|api|session)[_\-]?token|token|api[_\-]?key|key|sig|signature|x-amz-signature|x-amz-security-token|x-goog-signature|password|passwd|pwd|secret|client[_\-]?secret)=(?<secret>[^&#\s"'\x60<>\\]+)`,
      "i",
    ),
    check: (s, m) => {
      const key = (m.groups?.key ?? "").toLowerCase();
      const value = urlDecode(s);
      if (/^(?:password|passwd|pwd)$/.test(key)) return looksLikePassword(value);
      // `?key=` names many things (a cache key, a sort key): only a long random value is a credential.
      if (key === "key") return randomWithDigit(value, 16);
      return randomWithDigit(value, 12) || (value.length >= 20 && looksRandom(value, 20));
    },
  },
  {
    // An OAuth authorization code in a redirect URL. `?code=200`, `?code=ABC` and `?code=print` are not codes.
    kind: "oauth-authorization-code",
    keywords: ["code="],
    pattern: re(String.raw`[?&#;]code=(?<secret>[^&#\s"'\x60<>\\]+)`),
    check: (s) => randomWithDigit(urlDecode(s), 16),
  },
  {
    // The generic rule: a credential-named key with a value. Password-named keys are judged as passwords,
    // the rest must look random. See sensitive-key.ts and entropy.ts for what is let through.
    kind: "high-entropy-assignment",
    keywords: ["key", "secret", "token", "pass", "pwd", "auth", "credential", "cookie", "pat", "sas"],
    pattern: re(
      assignment(
        String.raw`[A-Za-z_][A-Za-z0-9_.\-]*`,
        String.raw`[^\s"'\x60\\,;(){}<>\[\]]{6,300}`,
        String.raw`[^"'\x60\\\r\n]{6,300}`,
      ),
    ),
    check: (s, m) => {
      const key = m.groups?.key ?? "";
      const kind = sensitiveKeyKind(key);
      if (kind === undefined) return false;
      if (/^[a-z][a-z0-9+.-]*:\/\/|^\.{0,2}\//i.test(s)) return false; // a URL or a path, not a credential
      const bare = m.groups?.bare !== undefined;
      // Unquoted, a dotted identifier (`token: ctx.token`) or a name followed by code punctuation
      // (`exports.authorization = authorization;`) is a reference in code, not a value.
      if (bare && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(s)) return false;
      if (bare && /^[A-Za-z_$][\w$]*$/.test(s) && /^[;,)]/.test(m.input.slice(m.index + m[0].length))) return false;
      if (kind === "password") return looksLikePassword(s) ? "password-assignment" : false;
      if (/\s/.test(s)) return false;
      // A name without digits is a word, not a key: random keys of these lengths practically always hold a digit.
      if (/^[A-Za-z_$][A-Za-z_$-]*$/.test(s)) return false;
      return looksRandom(s, 12);
    },
  },
];
