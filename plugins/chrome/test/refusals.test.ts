import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { EXTENSION_ID, openPairingStore, PROTOCOL_VERSION, type Relay, startRelay } from "../src/index.js";
import {
  connectState,
  html,
  openConnectPage,
  personsChrome,
  serve,
  shareTab,
  type tempDir,
  waitUntil,
  chromeTestFolders,
  type ChromeTestFolders,
} from "./helpers.js";

/*
 * Every way a connection is refused says why, and the relay forwards nothing
 * but the page actions of shared tabs: an attacker with the CDP path still
 * cannot read cookies or storage, open a browser page, or reach another tab.
 */
let site: Awaited<ReturnType<typeof serve>>;
let profile: Awaited<ReturnType<typeof tempDir>>;
let worksite: Awaited<ReturnType<typeof tempDir>>;
let _state: Awaited<ReturnType<typeof tempDir>>;
let browser: Browser;
let hands: Page;
let relay: Relay;
let folders: ChromeTestFolders | undefined;

beforeAll(async () => {
  site = await serve({ "/shared": html("<h1>Shared</h1>"), "/other": html("<h1>Other</h1>") });
  folders = await chromeTestFolders("worksite-chrome-profile-");
  ({ profile, worksite, _state } = folders);
  const chrome = await personsChrome(profile.path);
  browser = chrome.browser;
  hands = await chrome.extensionPage();
  await browser.setCookie({ name: "session", value: "ada-secret-session", domain: "127.0.0.1", path: "/" });
  for (const path of ["/shared", "/other"]) await (await browser.newPage()).goto(`${site.origin}${path}`);
  await shareTab(hands, `${site.origin}/shared`);
  relay = await startRelay({ store: openPairingStore(worksite.path), name: "refusals" });
});

afterAll(async () => {
  await relay?.close();
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

const withParam = (url: string, key: string, value: string) => {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.href;
};

/** A raw CDP client on the relay's client path: the attacker's seat. */
async function rawClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<{ result?: any; error?: { message: string } }>((resolve) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(String(data));
        if (msg.id !== mine) return;
        ws.off("message", onMessage);
        resolve(msg);
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id: mine, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return { ws, send };
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
}

describe("refusals, each with its reason", () => {
  it("refuses a relay that is not on this computer, before connecting anywhere", async () => {
    const page = await openConnectPage(
      browser,
      withParam(relay.connectUrl, "relay", "ws://192.0.2.7:9000/extension/x"),
    );
    const s = await connectState(page);
    expect(s.state).toBe("refused");
    expect(s.text).toContain("not a relay on this computer");
    await page.close();
  });

  it("refuses a protocol it does not speak, on the connect page and at the relay", async () => {
    const page = await openConnectPage(browser, withParam(relay.connectUrl, "v", "99"));
    expect(await connectState(page)).toMatchObject({
      state: "refused",
      text: expect.stringContaining("protocol mismatch"),
    });
    await page.close();
    const ws = new WebSocket(relay.extensionUrl, { origin: `chrome-extension://${EXTENSION_ID}` });
    await new Promise((r) => ws.once("open", r));
    ws.send(
      JSON.stringify({ type: "hello", protocol: 99, worksite: openPairingStore(worksite.path).worksite, pair: true }),
    );
    const end = await closed(ws);
    expect(end.reason).toContain("protocol mismatch");
  });

  it("refuses a socket that does not come from the worksite extension", async () => {
    const ws = new WebSocket(relay.extensionUrl, { origin: "http://127.0.0.1:1234" });
    const error = await new Promise<Error>((resolve) => ws.once("error", resolve));
    expect(error.message).toContain("403");
  });

  it("pairs by Allow, then refuses a wrong token with its reason", async () => {
    const page = await openConnectPage(browser, relay.connectUrl);
    expect((await connectState(page)).state).toBe("asking");
    await page.click("#allow");
    await waitUntil(async () => (await connectState(page)).state === "connected", "the pairing");
    await waitUntil(() => relay.state().connected, "the relay to see the extension");
    // The extension's stored token no longer matches (the worksite paired anew elsewhere).
    await hands.evaluate(async () => {
      const { pairings } = await chrome.storage.local.get("pairings");
      for (const key of Object.keys(pairings)) pairings[key].token = "x".repeat(43);
      await chrome.storage.local.set({ pairings });
    });
    const again = await browser.newPage();
    // Disconnect the live link first (Stop), then let the connect page try with the wrong token.
    await again.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await again.click("#stop");
    await waitUntil(() => !relay.state().connected, "the Stop to disconnect");
    const retry = await openConnectPage(browser, relay.connectUrl);
    const s = await connectState(retry);
    expect(s.state).toBe("refused");
    expect(s.text).toContain("Token refused");
    expect(relay.state().reason).toContain("token refused");
    // Allow again pairs anew.
    await retry.click("#allow");
    await waitUntil(async () => (await connectState(retry)).state === "connected", "pairing anew");
  });

  it("refuses a second extension and a second CDP client, saying one serves a worksite at a time", async () => {
    await waitUntil(() => relay.state().connected, "the extension");
    const ext = new WebSocket(relay.extensionUrl, { origin: `chrome-extension://${EXTENSION_ID}` });
    await new Promise((r) => ext.once("open", r));
    ext.send(
      JSON.stringify({
        type: "hello",
        protocol: PROTOCOL_VERSION,
        worksite: openPairingStore(worksite.path).worksite,
        nonce: "n".repeat(32),
        pair: true,
      }),
    );
    expect((await closed(ext)).reason).toContain("another extension is already connected");

    const first = await rawClient(relay.cdpUrl);
    const second = new WebSocket(relay.cdpUrl);
    expect((await closed(second)).reason).toContain("another CDP client is already connected");
    first.ws.close();
    await waitUntil(() => !relay.state().client, "the first client to leave");
  });

  it("never forwards cookies, storage, a browser page or another tab, even to a client holding the path", async () => {
    await waitUntil(() => relay.state().connected, "the extension");
    const { ws, send } = await rawClient(relay.cdpUrl);
    try {
      const { result } = await send("Target.getTargets");
      const targets = result.targetInfos as { targetId: string; url: string }[];
      expect(targets.map((t) => t.url)).toEqual([`${site.origin}/shared`]);
      const { result: attached } = await send("Target.attachToTarget", {
        targetId: targets[0]!.targetId,
        flatten: true,
      });
      const session = attached.sessionId as string;

      for (const method of [
        "Network.getCookies",
        "Network.getAllCookies",
        "Storage.getCookies",
        "Storage.clearDataForOrigin",
      ]) {
        const out = await send(method, {}, session);
        expect(out.error?.message).toContain("never forwarded");
      }
      expect((await send("Storage.getCookies")).error?.message).toContain("not available through the worksite relay");
      expect(
        (await send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: "/tmp" }, session)).error
          ?.message,
      ).toContain("never forwarded");
      expect((await send("Page.navigate", { url: "chrome://settings" }, session)).error?.message).toContain(
        "only web pages",
      );
      // A refused document is answered with an empty 204; a client may not fill in a page of its own that way.
      for (const params of [
        { requestId: "interception-1", responseCode: 200, body: Buffer.from("<h1>planted</h1>").toString("base64") },
        { requestId: "interception-1", responseCode: 204, responseHeaders: [{ name: "Set-Cookie", value: "a=b" }] },
      ])
        expect((await send("Fetch.fulfillRequest", params, session)).error?.message).toContain("only as an empty 204");
      const evaluated = await send("Runtime.evaluate", { expression: "document.cookie", returnByValue: true }, session);
      // httpOnly or not, the session cookie is only the page's; the relay has no cookie method to read it with.
      expect(evaluated.result?.result).toBeDefined();

      // Another tab: its id guessed from the shared one's.
      const sharedId = Number(targets[0]!.targetId.slice(4));
      for (const guess of [sharedId - 1, sharedId + 1, sharedId - 2]) {
        expect((await send("Target.attachToTarget", { targetId: `tab-${guess}` })).error?.message).toContain(
          "no shared tab",
        );
        expect(
          (await send("Runtime.evaluate", { expression: "location.href", returnByValue: true }, `s-${guess}`)).error
            ?.message,
        ).toMatch(/not in the worksite group|is closed/);
      }
    } finally {
      ws.close();
    }
  });
});

declare const chrome: any;
