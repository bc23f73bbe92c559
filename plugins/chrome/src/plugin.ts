import { definePlugin } from "@worksite/core";
import { type ChromePluginOptions, parseChromeOptions } from "./options.js";
import { createChromeSession } from "./session.js";
import { actionTools } from "./tools/actions.js";
import { pageTools } from "./tools/pages.js";

/**
 * The person's own Chrome: through the worksite bridge extension (default),
 * or a DevTools endpoint they opened (`browserUrl` / `autoConnect`). Connects
 * on the first call; the dispose `setup` returns detaches and closes the relay.
 */
export function createChromePlugin(options: ChromePluginOptions = {}) {
  const resolved = parseChromeOptions(options);
  const session = createChromeSession(resolved);
  return definePlugin({
    name: "chrome",
    setup: () => () => session.close(),
    tools: { ...pageTools(session), ...actionTools(session) },
    /** For tests and embedders: the live session behind the tools. */
    session,
  });
}

export type ChromePlugin = ReturnType<typeof createChromePlugin>;
