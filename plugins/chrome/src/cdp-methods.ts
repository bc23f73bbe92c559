/*
 * The CDP methods the relay forwards to a shared tab: the page actions the
 * tools need and nothing else. Cookies, storage, credentials and the download
 * folder are never reachable (issue 14). extension/cdp-methods.js holds the
 * same list for the extension's own check; cdp-methods.test.ts keeps them equal.
 */
export const ALLOWED_METHODS: readonly string[] = [
  "DOM.describeNode",
  "DOM.focus",
  "DOM.getBoxModel",
  "DOM.getContentQuads",
  "DOM.scrollIntoViewIfNeeded",
  "Fetch.continueRequest",
  "Fetch.disable",
  "Fetch.enable",
  "Fetch.failRequest",
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

export function isForwarded(method: string): boolean {
  return ALLOWED_METHODS.includes(method);
}

/** Why a method is refused, in words a person reading the log understands. */
export function refusalOf(method: string): string {
  if (/Cookie/i.test(method)) return `${method} is never forwarded: worksite cannot read or change cookies`;
  if (/^(Storage|DOMStorage|IndexedDB|CacheStorage)\./.test(method))
    return `${method} is never forwarded: worksite cannot read the browser's storage`;
  if (/^(WebAuthn|Autofill|FedCm)\./.test(method) || /Credential|Password/i.test(method))
    return `${method} is never forwarded: worksite cannot reach credentials`;
  if (/DownloadBehavior|^Browser\./.test(method))
    return `${method} is never forwarded: worksite cannot change where the browser saves files`;
  return `${method} is not forwarded: only the page actions worksite needs are`;
}
