import { definePlugin, type ToolDefinition, type ToolResult } from "@worksite/core";
import { parseBrowserOptions, type BrowserPluginOptions } from "./options.js";
import { createSession, type BrowserSession } from "./session.js";
import { clickTool } from "./tools/click.js";
import { closeTool } from "./tools/close.js";
import { dialogTool } from "./tools/dialog.js";
import { downloadsTool } from "./tools/downloads.js";
import { evaluateTool } from "./tools/evaluate.js";
import { fillFormTool } from "./tools/fill-form.js";
import { backTool, forwardTool, reloadTool } from "./tools/history.js";
import { hoverTool } from "./tools/hover.js";
import { consoleTool, networkTool } from "./tools/logs.js";
import { openTool } from "./tools/open.js";
import { pressTool } from "./tools/press.js";
import { readTool } from "./tools/read.js";
import { screenshotTool } from "./tools/screenshot.js";
import { selectTool } from "./tools/select.js";
import { snapshotTool } from "./tools/snapshot.js";
import { tabsTool } from "./tools/tabs.js";
import { typeTool } from "./tools/type.js";
import { uploadTool } from "./tools/upload.js";
import { waitForTool } from "./tools/wait-for.js";

/**
 * Every browser tool ends by auditing what the page's own requests ran into
 * during the call (one summary entry listing blocked origins) and telling the agent.
 */
// biome-ignore lint/suspicious/noExplicitAny: wraps a tool of any input type and returns it unchanged in type
function summarised<T extends ToolDefinition<any>>(session: BrowserSession, tool: T): T {
  return {
    ...tool,
    async run(input, ctx) {
      let out: ToolResult;
      try {
        out = await tool.run(input, ctx);
      } catch (error) {
        await session.flushRequests(ctx).catch(() => {});
        throw error;
      }
      const lines = await session.flushRequests(ctx);
      return lines.length ? { ...out, content: [out.content, ...lines].join("\n") } : out;
    },
  };
}

function browserTools(session: BrowserSession, sensitive: "confirm" | "forbidden" | undefined) {
  const tools = {
    open: openTool(session),
    back: backTool(session),
    forward: forwardTool(session),
    reload: reloadTool(session),
    tabs: tabsTool(session),
    "wait-for": waitForTool(session),
    close: closeTool(session),
    snapshot: snapshotTool(session),
    click: clickTool(session),
    type: typeTool(session, sensitive),
    press: pressTool(session),
    select: selectTool(session),
    hover: hoverTool(session),
    "fill-form": fillFormTool(session, sensitive),
    upload: uploadTool(session),
    screenshot: screenshotTool(session),
    read: readTool(session),
    console: consoleTool(session),
    network: networkTool(session),
    downloads: downloadsTool(session),
    dialog: dialogTool(session),
    evaluate: evaluateTool(session),
  };
  return Object.fromEntries(
    Object.entries(tools).map(([name, tool]) => [name, summarised(session, tool)]),
  ) as typeof tools;
}

/**
 * The in-app browser: one Chromium per plugin instance, launched on the first
 * call with a fresh profile, reused across calls, closed by the dispose that
 * `setup` returns (or by `browser.close`).
 */
export function createBrowserPlugin(options: BrowserPluginOptions = {}) {
  const resolved = parseBrowserOptions(options);
  const session = createSession({
    ...(resolved.executablePath ? { executablePath: resolved.executablePath } : {}),
    headless: resolved.headless,
    ...(resolved.viewport ? { viewport: resolved.viewport } : {}),
    ...(resolved.args ? { args: resolved.args } : {}),
    ...(resolved.timeoutMs ? { timeoutMs: resolved.timeoutMs } : {}),
  });
  const sensitive = resolved.sensitiveFields === "none" ? undefined : resolved.sensitiveFields;
  return definePlugin({
    name: "browser",
    setup: () => () => session.close(),
    warmUp: () => session.prelaunch(),
    tools: browserTools(session, sensitive),
    /** For tests and embedders: the live session behind the tools. */
    session,
  });
}

export type BrowserPlugin = ReturnType<typeof createBrowserPlugin>;
