import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";

/*
 * DevTools endpoint mode: a Chrome the person started with remote debugging,
 * found by its HTTP address (`browserUrl`) or by the DevToolsActivePort file
 * its profile folder holds (`autoConnect`), as chrome-devtools-mcp does.
 */

/** The browser-level WebSocket address behind an http://host:port DevTools address. */
export async function browserWebSocket(browserUrl: string, signal?: AbortSignal): Promise<string> {
  const base = browserUrl.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/json/version`, signal ? { signal } : {});
  } catch (error) {
    throw new UserError(`Chrome's DevTools endpoint ${browserUrl} does not answer: ${(error as Error).message}`, {
      hint: "start Chrome with --remote-debugging-port=9222 (and a --user-data-dir), or fix chrome.browserUrl in THREAD.md",
    });
  }
  const json = (await response.json().catch(() => ({}))) as { webSocketDebuggerUrl?: unknown };
  if (typeof json.webSocketDebuggerUrl !== "string")
    throw new UserError(`${browserUrl}/json/version names no webSocketDebuggerUrl`, {
      hint: "chrome.browserUrl must be the address Chrome's --remote-debugging-port serves, e.g. http://127.0.0.1:9222",
    });
  return json.webSocketDebuggerUrl;
}

/** The WebSocket address in `<profile>/DevToolsActivePort` (port on line 1, browser path on line 2). */
export async function activePortWebSocket(profileDir: string): Promise<string> {
  const file = join(profileDir, "DevToolsActivePort");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`${file} does not exist: this Chrome profile has no open debugging port`, {
      hint: "start Chrome with --remote-debugging-port=0 --user-data-dir=<that folder>, or fix chrome.autoConnect in THREAD.md",
    });
  }
  const [port, path] = text.split(/\r?\n/);
  if (!port || !/^\d+$/.test(port) || !path?.startsWith("/devtools/browser/"))
    throw new UserError(`${file} does not hold a port and a browser path`, {
      hint: "Chrome writes it when started with --remote-debugging-port; restart Chrome that way",
    });
  return `ws://127.0.0.1:${port}${path}`;
}
