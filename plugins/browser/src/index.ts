import { createBrowserPlugin } from "./plugin.js";

export { createBrowserPlugin, type BrowserPlugin } from "./plugin.js";
export { browserOptionsSchema, parseBrowserOptions, type BrowserPluginOptions } from "./options.js";
export { findBrowser, KNOWN_LOCATIONS, type FindBrowserOptions } from "./find-browser.js";
export { CHROMIUM_FLAGS, launchBrowser, type LaunchedBrowser, type LaunchOptions } from "./launch.js";
export type { BrowserSession } from "./session.js";
export type { SessionEvent } from "./events.js";

/** The plugin with default options (headless, browser found on this machine). */
export default createBrowserPlugin();
