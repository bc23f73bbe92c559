import { definePlugin, type ToolDefinition } from "@worksite/core";
import { arm, unreported } from "./guard.js";
import { type ChromePluginOptions, parseChromeOptions } from "./options.js";
import { type ChromeSession, createChromeSession } from "./session.js";
import { actionTools } from "./tools/actions.js";
import { pageTools } from "./tools/pages.js";

/** Every tool's result also reports what the guard refused since the last one (a page's own late navigation). */
// biome-ignore lint/suspicious/noExplicitAny: wraps tools of any input type and returns them unchanged in type
function reporting<T extends Record<string, ToolDefinition<any>>>(session: ChromeSession, tools: T): T {
  return Object.fromEntries(
    Object.entries(tools).map(([name, tool]) => [
      name,
      {
        ...tool,
        async run(input: unknown, ctx: Parameters<typeof tool.run>[1]) {
          const out = await tool.run(input, ctx);
          const lines = unreported(session.peek());
          return lines.length ? { ...out, content: [out.content, ...lines].join("\n") } : out;
        },
      },
    ]),
  ) as T;
}

/**
 * The person's own Chrome: through the worksite bridge extension (default),
 * or a DevTools endpoint they opened (`browserUrl` / `autoConnect`). Connects
 * on the first call; the dispose `setup` returns detaches and closes the relay.
 */
export function createChromePlugin(options: ChromePluginOptions = {}) {
  const resolved = parseChromeOptions(options);
  const session = createChromeSession(resolved, { prepare: arm });
  return definePlugin({
    name: "chrome",
    setup: () => () => session.close(),
    tools: reporting(session, { ...pageTools(session), ...actionTools(session) }),
    /** For tests and embedders: the live session behind the tools. */
    session,
  });
}

export type ChromePlugin = ReturnType<typeof createChromePlugin>;
