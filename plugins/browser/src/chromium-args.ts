import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Flags this machine kind needs (TOOLCHAIN.md "Chromium"); none of them phones home. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-default-apps",
  "--disable-extensions",
  "--no-default-browser-check",
  "--password-store=basic",
] as const;

/**
 * Written into the fresh profile before launch. WebRTC would otherwise send UDP
 * (STUN/TURN) straight to any host, past the proxy that decides every
 * connection: with this policy it only speaks through the proxy. No network
 * prediction: nothing is looked up or connected to before a request exists.
 * (The command-line switch for the WebRTC policy was measured to have no effect here; the preference does.)
 */
const PROFILE_PREFERENCES = {
  webrtc: {
    ip_handling_policy: "disable_non_proxied_udp",
    multiple_routes_enabled: false,
    nonproxied_udp_enabled: false,
  },
  net: { network_prediction_options: 2 },
};

/** A fresh profile folder nobody else uses, with our preferences in it. */
export function makeProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), "worksite-browser-"));
  mkdirSync(join(dir, "Default"));
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify(PROFILE_PREFERENCES));
  return dir;
}

/** Loopback too goes through the gate: Chromium would otherwise bypass a proxy for 127.0.0.1 and localhost. */
export function proxyFlags(proxy: string | undefined): string[] {
  return proxy ? [`--proxy-server=${proxy}`, "--proxy-bypass-list=<-loopback>"] : [];
}

/**
 * What puppeteer-core's `launch` passes before our flags (its `defaultArgs`), copied so a browser can be
 * spawned before puppeteer is loaded (early-start.ts). chromium-args.test.ts compares the whole command
 * line with the installed puppeteer's, so an upgrade that changes its defaults fails there, not silently.
 */
const PUPPETEER_DEFAULTS = [
  "--allow-pre-commit-input",
  "--disable-background-networking",
  "--disable-background-timer-throttling",
  "--disable-backgrounding-occluded-windows",
  "--disable-breakpad",
  "--disable-client-side-phishing-detection",
  "--disable-component-extensions-with-background-pages",
  "--disable-crash-reporter",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  "--disable-hang-monitor",
  "--disable-infobars",
  "--disable-ipc-flooding-protection",
  "--disable-popup-blocking",
  "--disable-prompt-on-repost",
  "--disable-renderer-backgrounding",
  "--disable-search-engine-choice-screen",
  "--disable-sync",
  "--enable-automation",
  "--export-tagged-pdf",
  "--force-color-profile=srgb",
  "--generate-pdf-document-outline",
  "--metrics-recording-only",
  "--no-first-run",
  "--password-store=basic",
  "--use-mock-keychain",
  "--disable-features=Translate,AcceptCHFrame,MediaRouter,OptimizationHints,WebUIReloadButton,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes",
  "--enable-features=PdfOopif",
];

/**
 * The command line `launchBrowser` gives Chromium through puppeteer (its defaults, the profile, headless,
 * a blank first page, our flags, the proxy), for a browser started without puppeteer: the same browser.
 */
export function chromiumCommandLine(options: { profileDir: string; headless: boolean; proxy: string }): string[] {
  return [
    ...PUPPETEER_DEFAULTS,
    `--user-data-dir=${options.profileDir}`,
    ...(options.headless ? ["--headless=new", "--hide-scrollbars", "--mute-audio"] : []),
    "--disable-extensions",
    "about:blank",
    ...CHROMIUM_FLAGS,
    ...proxyFlags(options.proxy),
    "--remote-debugging-port=0",
  ];
}
