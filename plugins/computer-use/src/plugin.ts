import { spawnSync } from "node:child_process";
import { definePlugin } from "@worksite/core";
import type { Driver } from "./driver.js";
import { type ComputerOptions, parseComputerOptions } from "./options.js";
import { pickDriver } from "./pick-driver.js";
import { scaledSize } from "./scale.js";
import { createSession } from "./session.js";
import { keyTool, typeTool } from "./tools/keyboard.js";
import { clickTool, dragTool, moveTool, scrollTool } from "./tools/pointer.js";
import { appsTool, cursorTool, screenshotTool, waitTool, zoomTool } from "./tools/screen.js";

/**
 * Desktop GUI actions, each a gate tool whose target is the app under it.
 * Read tools (screenshot, zoom, cursor, apps, wait) run under read-only; every
 * input action needs a person unless PERMISSIONS.md allows the app, and the
 * built-in deny list (password managers, security settings, terminals) is
 * forbidden unless a rule names the app.
 */
export function createComputerUsePlugin(options: ComputerOptions = {}) {
  const resolved = parseComputerOptions(options);
  const env = options.env ?? process.env;
  const driver: Driver =
    options.driver ??
    pickDriver(resolved.platform, {
      ...(resolved.display ? { display: resolved.display } : {}),
      ...(options.run ? { run: options.run } : {}),
      env,
    });
  const session = createSession(driver, resolved, env);
  let described: string | undefined;
  // Tool descriptions tell the model the size it sees; read once when the gate lists the tools, never at import.
  const screen = () => (described ??= describeScreen(driver.platform, resolved.display ?? env.DISPLAY, env));
  return definePlugin({
    name: "computer",
    setup: () => async () => {
      await driver.releaseAll().catch(() => {});
    },
    tools: {
      screenshot: screenshotTool(session, screen),
      zoom: zoomTool(session, screen),
      cursor: cursorTool(session),
      apps: appsTool(session),
      wait: waitTool(session),
      click: clickTool(session, screen),
      move: moveTool(session, screen),
      drag: dragTool(session, screen),
      scroll: scrollTool(session, screen),
      type: typeTool(session),
      key: keyTool(session),
    },
    /** For tests and embedders: the live session (driver, geometry, kill-switch path). */
    session,
  });
}

export type ComputerUsePlugin = ReturnType<typeof createComputerUsePlugin>;

function describeScreen(platform: Driver["platform"], display: string | undefined, env: NodeJS.ProcessEnv): string {
  const unknown = "its size is in computer.screenshot's answer";
  if (platform !== "x11" || !display) return unknown;
  const out = spawnSync("xdotool", ["getdisplaygeometry"], {
    env: { ...env, DISPLAY: display },
    encoding: "utf8",
    timeout: 3000,
  });
  const [width, height] = (out.stdout ?? "").trim().split(/\s+/).map(Number);
  if (!width || !height) return unknown;
  const s = scaledSize({ width, height });
  return `the screenshot is ${s.width}x${s.height} pixels`;
}
