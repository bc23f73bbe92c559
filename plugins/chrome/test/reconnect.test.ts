import type { Gate } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTENSION_ID } from "../src/index.js";
import {
  allowOnConnect,
  chromeGate,
  html,
  personsChrome,
  serve,
  shareTab,
  type tempDir,
  waitUntil,
  chromeTestFolders,
  type ChromeTestFolders,
} from "./helpers.js";

let site: Awaited<ReturnType<typeof serve>>;
let profile: Awaited<ReturnType<typeof tempDir>>;
let worksite: Awaited<ReturnType<typeof tempDir>>;
let _state: Awaited<ReturnType<typeof tempDir>>;
let browser: Browser;
let tab: Page;
let gate: Gate;
let plugin: Awaited<ReturnType<typeof chromeGate>>["plugin"];
let folders: ChromeTestFolders | undefined;

beforeAll(async () => {
  site = await serve({ "/a": html("<h1>Page A</h1>"), "/b": html("<h1>Page B</h1>") });
  folders = await chromeTestFolders("worksite-chrome-profile-");
  ({ profile, worksite, _state } = folders);
  const chrome = await personsChrome(profile.path);
  browser = chrome.browser;
  tab = await browser.newPage();
  await tab.goto(`${site.origin}/a`);
  await shareTab(await chrome.extensionPage(), `${site.origin}/a`);
  ({ gate, plugin } = await chromeGate(
    worksite.path,
    ["# Permissions", "", "## Allow", `- \`chrome.read(${site.origin}/**)\``, ""].join("\n"),
    { openConnectPage: allowOnConnect(browser) },
  ));
});

afterAll(async () => {
  await gate?.dispose();
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

describe("the extension comes back by itself", () => {
  it("reconnects after Chrome stops its service worker, and the agent reads on with no prompt", async () => {
    const first = await gate.call({ tool: "chrome.read", input: {} });
    expect(first.status === "ok" && first.result.content).toContain("Page A");
    const relay = plugin.session.relay();
    expect(relay?.state().connected).toBe(true);

    // What Chrome does to an idle extension: its worker is stopped, and the socket with it.
    const cdp = await tab.createCDPSession();
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await waitUntil(() => !relay?.state().connected, "the relay to see the extension go");

    // The person goes on browsing; the tab event starts the worker again, which returns to the last relay with its token.
    await tab.goto(`${site.origin}/b`);
    await waitUntil(() => relay?.state().connected, "the extension to reconnect");
    const again = await gate.call({ tool: "chrome.read", input: {} });
    expect(again.status === "ok" ? "ok" : `${again.status}: ${"message" in again ? again.message : ""}`).toBe("ok");
    expect(again).toMatchObject({ status: "ok", result: { content: expect.stringContaining("Page B") } });
  });

  it("detaches from a tab the agent has not used for the idle time, and attaches again on the next call", async () => {
    await gate.dispose();
    ({ gate, plugin } = await chromeGate(
      worksite.path,
      ["# Permissions", "", "## Allow", `- \`chrome.read(${site.origin}/**)\``, ""].join("\n"),
      { openConnectPage: allowOnConnect(browser), idleMs: 1000 },
    ));
    const hands = await browser.newPage();
    await hands.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const attached = () =>
      hands.evaluate(async () => {
        const s = await (globalThis as any).chrome.runtime.sendMessage({ type: "status" });
        return s.attached.length as number;
      });
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    expect(await attached()).toBe(1);
    // Chrome's "is debugging this browser" bar goes with the last attachment.
    await waitUntil(async () => (await attached()) === 0, "the idle detach");
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    expect(await attached()).toBe(1);
  });
});
