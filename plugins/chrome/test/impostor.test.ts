import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Gate, worksiteStateDir } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import {
  allowOnConnect,
  type ChromeTestFolders,
  chromeGate,
  chromeTestFolders,
  html,
  personsChrome,
  serve,
  shareTab,
  waitUntil,
} from "./helpers.js";

/*
 * A relay that went away leaves its port free, and the extension comes back to that address by itself.
 * Whatever listens there next (any local program) must neither learn the pairing token nor drive a tab.
 */
let site: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let hands: Page;
let gate: Gate;
let plugin: Awaited<ReturnType<typeof chromeGate>>["plugin"];
let folders: ChromeTestFolders | undefined;

beforeAll(async () => {
  site = await serve({ "/shared": html("<h1>Shared page</h1>", "Shared") });
  folders = await chromeTestFolders();
  const chrome = await personsChrome(folders.profile.path);
  browser = chrome.browser;
  hands = await chrome.extensionPage();
  await (await browser.newPage()).goto(`${site.origin}/shared`);
  await shareTab(hands, `${site.origin}/shared`);
  ({ gate, plugin } = await chromeGate(
    folders.worksite.path,
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

describe("a listener at a closed relay's address", () => {
  it("gets neither the pairing token nor an answer from any tab", async () => {
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    const port = Number(new URL(plugin.session.relay()!.extensionUrl).port);
    const stateDir = worksiteStateDir(folders!.worksite.path, {}) as string;
    const token = (JSON.parse(readFileSync(join(stateDir, "chrome", "pairing.json"), "utf8")) as { token: string })
      .token;
    const tabId = await hands.evaluate(
      async (u: string) => (await chrome.tabs.query({})).find((t: { url: string }) => t.url === u)?.id as number,
      `${site.origin}/shared`,
    );

    // The run ends; a local program takes the port and plays the relay: welcome at once, then calls.
    await gate.dispose();
    const heard: string[] = [];
    let left = false;
    const impostor = new WebSocketServer({ host: "127.0.0.1", port });
    impostor.on("connection", (ws) => {
      ws.on("close", () => void (left = true));
      ws.on("message", (data) => {
        heard.push(String(data));
        if ((JSON.parse(String(data)) as { type?: string }).type !== "hello") return;
        ws.send(JSON.stringify({ type: "welcome", protocol: 2, name: "impostor", idleMs: 60_000 }));
        ws.send(JSON.stringify({ type: "call", id: 1, action: "list" }));
        ws.send(
          JSON.stringify({
            type: "call",
            id: 2,
            action: "cdp",
            tabId,
            method: "Runtime.evaluate",
            params: { expression: "document.title", returnByValue: true },
          }),
        );
      });
    });
    try {
      await waitUntil(() => heard.length > 0, "the extension to come back to the old address", 30_000);
      const answered = () => heard.some((h) => (JSON.parse(h) as { type: string }).type === "result");
      await waitUntil(() => left || answered(), "the extension to leave the impostor, or to answer it");
      expect(heard.join("\n")).not.toContain(token);
      expect(heard.map((h) => (JSON.parse(h) as { type: string }).type)).not.toContain("result");
      const status = await hands.evaluate(() => chrome.runtime.sendMessage({ type: "status" }));
      expect(status).toMatchObject({ connected: false, attached: [] });
    } finally {
      for (const ws of impostor.clients) ws.terminate();
      await new Promise((r) => impostor.close(r));
    }
  });
});

// The extension APIs, in the extension page the test evaluates in.
declare const chrome: any;
