import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { worksiteStateDir } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { EXTENSION_ID, openPairingStore, PROTOCOL_VERSION, type Relay, startRelay } from "../src/index.js";
import {
  type ChromeTestFolders,
  chromeTestFolders,
  connectState,
  html,
  openConnectPage,
  personsChrome,
  serve,
  shareTab,
  waitUntil,
} from "./helpers.js";

/*
 * Brief J item 1: the extension's link has one state machine (extension/background.js), and the races around a
 * worksite process starting at its kept address end with one link, never none. Each test is one race a person met:
 * the connect page opened while the extension had already come back by itself, and a connect page refused because
 * another extension held the relay.
 */
let site: Awaited<ReturnType<typeof serve>>;
let folders: ChromeTestFolders;
let browser: Browser;
let hands: Page;
let tabId: number;
const relays: Relay[] = [];

const store = () => openPairingStore(folders.worksite.path);
const extensionStatus = (): Promise<{ connected: boolean; attached: number[] }> =>
  hands.evaluate(() => chrome.runtime.sendMessage({ type: "status" }));

async function relay(): Promise<Relay> {
  const r = await startRelay({ store: store(), name: "races" });
  relays.push(r);
  return r;
}

beforeAll(async () => {
  site = await serve({ "/shared": html("<h1>Shared page</h1>", "Shared") });
  folders = await chromeTestFolders();
  const person = await personsChrome(folders.profile.path);
  browser = person.browser;
  hands = await person.extensionPage();
  await (await browser.newPage()).goto(`${site.origin}/shared`);
  tabId = await shareTab(hands, `${site.origin}/shared`);
  // Paired once by Allow, as `worksite chrome connect` has the person do.
  const first = await relay();
  const page = await openConnectPage(browser, first.connectUrl);
  expect((await connectState(page)).state).toBe("asking");
  await page.click("#allow");
  await waitUntil(() => first.state().connected, "the pairing");
  await page.close();
  await first.close();
});

afterAll(async () => {
  for (const r of relays) await r.close().catch(() => {});
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

/** A CDP client on the relay's client path, as the plugin's session is; it keeps every event it hears. */
async function cdpClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const events: string[] = [];
  const answers = new Map<number, (m: { result?: any; error?: { message: string } }) => void>();
  ws.on("message", (data) => {
    const m = JSON.parse(String(data));
    if (typeof m.id === "number") answers.get(m.id)?.(m);
    else events.push(m.method);
  });
  let id = 0;
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<{ result?: any; error?: { message: string } }>((resolve) => {
      answers.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return { ws, send, events };
}

/** Another Chrome's extension, paired with the same worksite (same token): a fake, since one profile has one. */
async function otherChromesExtension(r: Relay): Promise<WebSocket> {
  const address = `ws://127.0.0.1:${new URL(r.extensionUrl).port}/extension`;
  const file = join(worksiteStateDir(folders.worksite.path, {}) as string, "chrome", "pairing.json");
  const token = (JSON.parse(readFileSync(file, "utf8")) as { token: string }).token;
  const worksite = store().worksite;
  const sign = (m: string) => createHmac("sha256", token).update(m).digest("hex");
  const ws = new WebSocket(address, { origin: `chrome-extension://${EXTENSION_ID}` });
  await new Promise((resolve) => ws.once("open", resolve));
  ws.send(
    JSON.stringify({
      type: "hello",
      protocol: PROTOCOL_VERSION,
      worksite,
      extension: EXTENSION_ID,
      nonce: "n".repeat(32),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data));
      if (m.type === "challenge")
        ws.send(JSON.stringify({ type: "answer", proof: sign(`extension:${worksite}:${m.nonce}:${address}`) }));
      else if (m.type === "welcome") resolve();
      else if (m.type === "call") ws.send(JSON.stringify({ type: "result", id: m.id, result: { tabs: [] } }));
      else reject(new Error(JSON.stringify(m)));
    });
  });
  return ws;
}

describe("the extension's link when a worksite process starts at its kept address", () => {
  it("a connect page opened after the extension came back by itself leaves that link up: a call in flight ends well", async () => {
    const r = await relay();
    // Nobody opened anything yet: the paired extension dials the kept address by itself.
    await waitUntil(() => r.state().connected, "the extension to come back by itself", 30_000);
    const client = await cdpClient(r.cdpUrl);
    const { result } = await client.send("Target.attachToTarget", { targetId: `tab-${tabId}`, flatten: true });
    const slow = client.send(
      "Runtime.evaluate",
      {
        expression: "new Promise((r) => setTimeout(() => r(document.title), 1500))",
        awaitPromise: true,
        returnByValue: true,
      },
      result.sessionId,
    );
    // Meanwhile the person opens the connect page the process printed: another door to the very same relay.
    const page = await openConnectPage(browser, r.connectUrl);
    expect(await connectState(page)).toMatchObject({ state: "connected" });
    const answer = await slow;
    expect(answer.error?.message).toBeUndefined();
    expect(answer.result.result.value).toBe("Shared");
    expect(client.events).not.toContain("Inspector.detached");
    expect(r.state()).toMatchObject({ connected: true });
    client.ws.close();
    await page.close();
    await r.close();
    await waitUntil(async () => !(await extensionStatus()).connected, "the extension to be let go");
  });

  it("refused because another extension holds the relay, it keeps dialling, and comes in once that one leaves", async () => {
    // The person pressed Stop: nothing dials until they open a connect page.
    await hands.evaluate(() => chrome.runtime.sendMessage({ type: "stop" }));
    const r = await relay();
    const other = await otherChromesExtension(r);
    expect(r.state().connected).toBe(true);
    const page = await openConnectPage(browser, r.connectUrl);
    const refused = await connectState(page);
    expect(refused.state).toBe("refused");
    expect(refused.text).toContain("another extension is already connected");
    // The first stays, and `worksite chrome status` still says connected.
    expect(other.readyState).toBe(WebSocket.OPEN);
    expect(r.state()).toMatchObject({ connected: true });
    expect(store().readStatus()?.state).toBe("connected");
    other.close();
    await waitUntil(() => !r.state().connected, "the other extension to leave");
    // Nobody opens anything again: the refused extension was left dialling, and comes in by itself.
    await waitUntil(() => r.state().connected, "the extension to come in by itself", 30_000);
    expect((await extensionStatus()).connected).toBe(true);
    await page.close();
    await r.close();
  });
});
