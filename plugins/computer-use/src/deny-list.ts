import type { Decision } from "@worksite/core";
import type { WindowInfo } from "./driver.js";

/*
 * Apps where one wrong click or keystroke costs the most: password managers
 * and keychains (secrets), the system's privacy and security settings (the
 * grants that hold everything else back), and terminals (typing there runs
 * commands outside worksite's command sandbox). Forbidden unless
 * PERMISSIONS.md names the app in a rule (issue 15).
 */
const DENIED_APPS: readonly { pattern: RegExp; why: string }[] = [
  {
    pattern:
      /^(1password.*|bitwarden|keepassxc?|keepass2?|lastpass|dashlane|enpass|proton ?pass|nordpass|keeper|passwords|keychain access|seahorse|gnome-keyring|kwalletmanager5?)$/i,
    why: "a password manager or keychain",
  },
  {
    pattern:
      /^(terminal|iterm2?|xterm|uxterm|urxvt|rxvt|gnome-terminal(-server)?|konsole|xfce4-terminal|terminator|tilix|alacritty|kitty|wezterm(-gui)?|warp|ghostty|hyper|st|lxterminal|mate-terminal|qterminal|sakura|foot)$/i,
    why: "a terminal (typing there runs commands outside the command sandbox)",
  },
];

const SETTINGS_APPS =
  /^(system settings|system preferences|gnome-control-center|systemsettings|org\.gnome\.settings)$/i;
const SECURITY_TITLES = /privacy|security|passwords|login items|full disk|accessibility|screen recording|users/i;

/** Why the built-in deny list covers this window, or undefined. */
export function deniedBecause(window: Pick<WindowInfo, "app" | "title">): string | undefined {
  for (const { pattern, why } of DENIED_APPS) if (pattern.test(window.app.trim())) return why;
  if (SETTINGS_APPS.test(window.app.trim()) && SECURITY_TITLES.test(window.title))
    return "the system's privacy and security settings";
  return undefined;
}

/** Does the rule that decided this call name the app itself (`computer.type(app:KeePassXC)`), not a glob over every app? */
export function ruleNamesApp(decision: Decision | undefined, app: string): boolean {
  if (decision?.by !== "rule" || !decision.rule) return false;
  const text = decision.rule.text.trim();
  const specifier = /\((.*)\)\s*$/.exec(text)?.[1] ?? /^\S+\s+(.+)$/.exec(text)?.[1];
  if (!specifier) return false;
  const named = specifier.trim().replace(/^app:/i, "");
  return !/[*?]/.test(named) && named.toLowerCase() === app.trim().toLowerCase();
}

/** The rule target for a window: `app:<name>`, so rules read `computer.click(app:Calculator)`. */
export function appTarget(window: WindowInfo | undefined): string {
  return `app:${window ? window.app.replace(/\s+/g, " ").trim() || "unknown" : "none"}`;
}
