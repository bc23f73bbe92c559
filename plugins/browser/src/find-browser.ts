import { accessSync, constants } from "node:fs";
import { UserError } from "@worksite/core/messages";

export interface FindBrowserOptions {
  executablePath?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Whether a file can be executed; tests substitute it. */
  isExecutable?: (path: string) => boolean;
}

/** Where Chromium and Chrome usually live, in the order we prefer them. */
export const KNOWN_LOCATIONS: Record<string, string[]> = {
  linux: [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
  ],
  darwin: [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary",
  ],
};

function defaultIsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Explicit option, then CHROME_PATH, then the usual places. An explicit path
 * that does not exist is an error rather than a silent fall-through: the user
 * asked for that browser.
 */
export function findBrowser(options: FindBrowserOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const isExecutable = options.isExecutable ?? defaultIsExecutable;

  for (const [path, from] of [
    [options.executablePath, "the executablePath option"],
    [env.CHROME_PATH, "CHROME_PATH"],
  ] as const) {
    if (!path) continue;
    if (isExecutable(path)) return path;
    throw new UserError(`No browser at ${path} (from ${from})`, {
      hint: `Point ${from} at an installed Chromium or Chrome executable, or unset it to search the usual places.`,
    });
  }

  const candidates = KNOWN_LOCATIONS[platform] ?? [];
  const found = candidates.find(isExecutable);
  if (found) return found;

  throw new UserError("No Chromium or Chrome found for the browser plugin", {
    hint:
      platform === "darwin"
        ? "Install Google Chrome (https://www.google.com/chrome/), or set CHROME_PATH to a Chromium executable."
        : "Install Chromium with `sudo apt-get install -y chromium`, or set CHROME_PATH to a Chromium or Chrome executable.",
  });
}
