import type { Decision } from "@worksite/core";

/*
 * Kinds of pages where one wrong click costs money, access or secrets. With
 * no rule that names the origin explicitly, every chrome.* call there is
 * forbidden (issue 14: tighter defaults than the in-app browser).
 */

interface SiteKind {
  kind: string;
  /** Host suffixes (a host equal to or ending in ".<suffix>"). */
  hosts?: string[];
  /** Path patterns on any host. */
  paths?: RegExp[];
  /** Schemes of the browser's own pages. */
  schemes?: string[];
}

export const SENSITIVE_SITES: readonly SiteKind[] = [
  {
    kind: "a browser's own page",
    schemes: ["chrome:", "chrome-extension:", "devtools:", "edge:", "about:", "view-source:", "chrome-search:"],
  },
  {
    kind: "banking",
    hosts: [
      "chase.com",
      "bankofamerica.com",
      "wellsfargo.com",
      "citi.com",
      "hsbc.com",
      "barclays.co.uk",
      "santander.com",
      "revolut.com",
      "n26.com",
      "monzo.com",
      "icbc.com.cn",
      "ccb.com",
      "boc.cn",
      "cmbchina.com",
      "abchina.com",
    ],
  },
  {
    kind: "payments",
    hosts: [
      "paypal.com",
      "stripe.com",
      "wise.com",
      "venmo.com",
      "alipay.com",
      "pay.google.com",
      "payments.google.com",
      "pay.weixin.qq.com",
      "coinbase.com",
      "binance.com",
      "kraken.com",
      "klarna.com",
      "squareup.com",
    ],
  },
  {
    kind: "a password manager",
    hosts: [
      "1password.com",
      "bitwarden.com",
      "lastpass.com",
      "dashlane.com",
      "keepersecurity.com",
      "passwords.google.com",
      "passwords.google",
    ],
  },
  {
    kind: "account or security settings",
    hosts: [
      "accounts.google.com",
      "myaccount.google.com",
      "account.microsoft.com",
      "account.live.com",
      "appleid.apple.com",
      "account.apple.com",
    ],
    paths: [
      /^\/settings\/(security|password|keys|tokens|admin|two_factor_authentication|emails|apps)(\/|$)/i,
      /^\/(account|user|profile|settings)\/(security|password|2fa|mfa|two-factor)(\/|$)/i,
      /^\/security(\/|$)/i,
    ],
  },
];

function hostMatches(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}

/** The sensitive kind a URL belongs to, or undefined. `extra` adds host suffixes a plugin option names. */
export function sensitiveKind(url: string, extra: readonly string[] = []): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const host = u.hostname.toLowerCase();
  for (const site of SENSITIVE_SITES) {
    if (site.schemes?.includes(u.protocol) && url !== "about:blank") return site.kind;
    if (!/^https?:$/.test(u.protocol)) continue;
    if (site.hosts?.some((h) => hostMatches(host, h))) return site.kind;
    if (site.paths?.some((p) => p.test(u.pathname))) return site.kind;
  }
  if (/^https?:$/.test(u.protocol) && extra.some((h) => hostMatches(host, h.toLowerCase()) || u.host === h))
    return "marked sensitive in the plugin's options";
  return undefined;
}

/** Whether the deciding rule names this URL's origin itself (no wildcard standing in for the host). */
export function namesOrigin(decision: Decision, url: string): boolean {
  if (!decision.rule || decision.tier === "forbidden") return false;
  try {
    const u = new URL(url);
    const origin = `${u.protocol}//${u.host}`.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // The origin written out, ending there: `https://bank.example*` or `https://bank.example.evil` do not name it.
    return new RegExp(`${origin}(?=[/)\`\\s]|$)`).test(decision.rule.text.toLowerCase());
  } catch {
    return false;
  }
}
