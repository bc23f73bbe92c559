import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isForwarded, refusalOf } from "./cdp-methods.js";
import { extensionDir } from "./extension-dir.js";

describe("the CDP allow-list", () => {
  it("never forwards cookie, storage, credential or download-folder methods, and says which it was", () => {
    for (const method of [
      "Network.getCookies",
      "Network.getAllCookies",
      "Network.setCookie",
      "Storage.getCookies",
      "Storage.clearDataForOrigin",
      "DOMStorage.getDOMStorageItems",
      "IndexedDB.requestData",
      "WebAuthn.getCredentials",
      "Browser.setDownloadBehavior",
      "Page.setDownloadBehavior",
      "Target.createBrowserContext",
    ]) {
      expect(isForwarded(method)).toBe(false);
    }
    expect(refusalOf("Network.getCookies")).toContain("cookies");
    expect(refusalOf("Storage.getUsageAndQuota")).toContain("storage");
    expect(refusalOf("WebAuthn.getCredentials")).toContain("credentials");
    expect(refusalOf("Browser.setDownloadBehavior")).toContain("saves files");
  });

  it("the extension's connect page takes only a relay on this computer", async () => {
    const ext = (await import(pathToFileURL(`${extensionDir()}/cdp-methods.js`).href)) as {
      loopbackRelay(u: string): boolean;
      visibleUrl(u: string): boolean;
    };
    expect(ext.loopbackRelay("ws://127.0.0.1:4000/extension/x")).toBe(true);
    expect(ext.loopbackRelay("ws://[::1]:4000/extension/x")).toBe(true);
    for (const bad of [
      "ws://localhost:4000/x",
      "ws://192.168.1.5:4000/x",
      "wss://127.0.0.1/x",
      "ws://127.0.0.1.evil.example/x",
      "nonsense",
    ])
      expect(ext.loopbackRelay(bad)).toBe(false);
    for (const hidden of [
      "chrome://settings",
      "chrome-extension://abc/popup.html",
      "devtools://devtools/x",
      "file:///etc/passwd",
      "view-source:https://a.b",
    ])
      expect(ext.visibleUrl(hidden)).toBe(false);
  });
});
