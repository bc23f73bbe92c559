import { createChromePlugin } from "./plugin.js";

export { createChromePlugin, type ChromePlugin } from "./plugin.js";
export { chromeOptionsSchema, parseChromeOptions, type ChromePluginOptions } from "./options.js";
export { startRelay, type Relay, type RelayOptions } from "./relay.js";
export { openPairingStore, type ChromeStatus, type PairingStore } from "./pairing.js";
export { EXTENSION_ID, PROTOCOL_VERSION } from "./protocol.js";
export { ALLOWED_METHODS, isForwarded, refusalOf } from "./cdp-methods.js";
export { sensitiveKind, SENSITIVE_SITES } from "./sensitive-sites.js";
export { activePortWebSocket, browserWebSocket } from "./endpoint.js";
export { extensionDir } from "./extension-dir.js";

/** The plugin with default options: the extension bridge. */
export default createChromePlugin();
