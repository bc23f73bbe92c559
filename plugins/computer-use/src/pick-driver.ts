import type { Driver } from "./driver.js";
import type { CommandRunner } from "./exec.js";
import { createMacDriver } from "./macos/driver.js";
import { createX11Driver } from "./x11/driver.js";

/** The platform's driver: macOS on darwin, X11 elsewhere (Linux desktops; Xvfb in tests). */
export function pickDriver(
  platform: "auto" | "x11" | "macos",
  options: { display?: string; run?: CommandRunner; env?: NodeJS.ProcessEnv } = {},
): Driver {
  const which = platform === "auto" ? (process.platform === "darwin" ? "macos" : "x11") : platform;
  const common = { ...(options.run ? { run: options.run } : {}), ...(options.env ? { env: options.env } : {}) };
  return which === "macos"
    ? createMacDriver(common)
    : createX11Driver({ ...common, ...(options.display ? { display: options.display } : {}) });
}
