// The CDP methods a worksite may send to a shared tab. Everything else is refused here and in the relay,
// which imports this same file (plugins/chrome/src/cdp-methods.ts).
export const ALLOWED = [
  "DOM.describeNode",
  "DOM.focus",
  "DOM.getBoxModel",
  "DOM.getContentQuads",
  "DOM.scrollIntoViewIfNeeded",
  "Fetch.continueRequest",
  "Fetch.disable",
  "Fetch.enable",
  "Fetch.failRequest",
  "Fetch.fulfillRequest",
  "Input.dispatchKeyEvent",
  "Input.dispatchMouseEvent",
  "Input.insertText",
  "Page.bringToFront",
  "Page.captureScreenshot",
  "Page.createIsolatedWorld",
  "Page.enable",
  "Page.getFrameTree",
  "Page.getLayoutMetrics",
  "Page.handleJavaScriptDialog",
  "Page.navigate",
  "Page.reload",
  "Runtime.callFunctionOn",
  "Runtime.evaluate",
  "Runtime.releaseObject",
];

/** Why a method is refused: cookies, storage, credentials and downloads have their own words. */
export function refusal(method) {
  if (/^Network\.(get|getAll|set|delete|clearBrowser)Cookies?$/.test(method) || /Cookie/i.test(method))
    return `${method} is never forwarded: worksite cannot read or change cookies`;
  if (/^(Storage|DOMStorage|IndexedDB|CacheStorage)\./.test(method))
    return `${method} is never forwarded: worksite cannot read the browser's storage`;
  if (/^(WebAuthn|Autofill|FedCm)\./.test(method) || /Credential|Password/i.test(method))
    return `${method} is never forwarded: worksite cannot reach credentials`;
  if (/DownloadBehavior|^Browser\./.test(method))
    return `${method} is never forwarded: worksite cannot change where the browser saves files`;
  return `${method} is not forwarded: only the page actions worksite needs are`;
}

export function allowed(method) {
  return ALLOWED.includes(method);
}

/**
 * Why a forwarded method's parameters are refused, if they are. Fetch.fulfillRequest only answers a refused
 * document with an empty 204 (the tab stays on the page it was on, not on an error page); a client that could
 * fill in a response could plant its own page on a logged-in origin.
 */
export function paramsRefusal(method, params) {
  if (method !== "Fetch.fulfillRequest") return undefined;
  const keys = Object.keys(params ?? {}).sort();
  const empty =
    keys.join(",") === "requestId,responseCode" || keys.join(",") === "requestId,responseCode,responseHeaders";
  const headers = params?.responseHeaders;
  if (
    empty &&
    params.responseCode === 204 &&
    (headers === undefined || (Array.isArray(headers) && headers.length === 0))
  )
    return undefined;
  return "Fetch.fulfillRequest is forwarded only as an empty 204 answer to a refused navigation";
}

/**
 * Where a paired extension dials a worksite's relay by itself: the kept port, at a fixed path. Whoever listens at
 * the port while no relay does hears this path, so it is no secret: only the HMAC handshake gets in there, and no
 * pairing happens there (the connect page's own path is secret and new each process).
 */
export const RECONNECT_PATH = "/extension";

export function reconnectAddress(relay) {
  const url = new URL(relay);
  return `${url.protocol}//${url.host}${RECONNECT_PATH}`;
}

/** Pages the agent may see: the web, and blank tabs. Never chrome:, chrome-extension:, devtools:, file: … */
export function visibleUrl(url) {
  return /^https?:\/\//i.test(url ?? "") || url === "about:blank";
}

/** The relay must be on this computer: ws on 127.0.0.1 or [::1] (a name like localhost could be pointed elsewhere). */
export function loopbackRelay(text) {
  try {
    const url = new URL(text);
    return url.protocol === "ws:" && (url.hostname === "127.0.0.1" || url.hostname === "[::1]");
  } catch {
    return false;
  }
}

export const PROTOCOL = 3;
export const GROUP_TITLE = "worksite";
