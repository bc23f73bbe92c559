import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Gate, worksiteStateDir } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { EXTENSION_ID, openPairingStore } from "../src/index.js";
import {
  allowOnConnect,
  type ChromeTestFolders,
  chromeGate,
  chromeTestFolders,
  html,
  openConnectPage,
  personsChrome,
  serve,
  shareTab,
  waitUntil,
  warningsLog,
} from "./helpers.js";

/*
 * Issue 14, brief F item 1: a worksite's relay listens at the same address in every process, and the paired
 * extension keeps dialling it, so a later process (a scheduled wake) connects with nobody opening a page. A
 * known address is only safe because of the mutual HMAC handshake: a program that takes the port first, or one
 * that sits there and passes the handshake on to the real relay elsewhere, gets no token and no tab.
 */
let site: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let hands: Page;
let folders: ChromeTestFolders;
let root: string;
let gate: Gate | undefined;
let tabId: number;
/** The paths the extension dialled an impostor at: what any program at the kept port learns. */
const dialledPaths: string[] = [];

const permissions = () => ["# Permissions", "", "## Allow", `- \`chrome.read(${site.origin}/**)\``, ""].join("\n");
const relayFile = () => join(worksiteStateDir(root, {}) as string, "chrome", "relay.json");
const kept = () => JSON.parse(readFileSync(relayFile(), "utf8")) as { port: number };
const token = () =>
  (
    JSON.parse(readFileSync(join(worksiteStateDir(root, {}) as string, "chrome", "pairing.json"), "utf8")) as {
      token: string;
    }
  ).token;
const portOf = (url: string) => Number(new URL(url).port);
const extensionStatus = (): Promise<{ connected: boolean; attached: number[] }> =>
  hands.evaluate(() => chrome.runtime.sendMessage({ type: "status" }));

beforeAll(async () => {
  site = await serve({ "/shared": html("<h1>Shared page</h1>", "Shared") });
  folders = await chromeTestFolders();
  root = folders.worksite.path;
  const person = await personsChrome(folders.profile.path);
  browser = person.browser;
  hands = await person.extensionPage();
  await (await browser.newPage()).goto(`${site.origin}/shared`);
  tabId = await shareTab(hands, `${site.origin}/shared`);
});

afterAll(async () => {
  await gate?.dispose();
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

/** A local program listening at `port` that plays a relay, and everything the extension told it. */
async function impostorAt(port: number, onHello: (ws: WebSocket, hello: Record<string, unknown>) => void) {
  const heard: Record<string, unknown>[] = [];
  const closes: number[] = [];
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (ws, req) => {
    dialledPaths.push(req.url ?? "");
    ws.on("close", (code) => void closes.push(code));
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      heard.push(message);
      if (message.type === "hello") onHello(ws, message);
    });
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    heard,
    closes,
    close: async () => {
      for (const ws of server.clients) ws.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("the relay's kept address", () => {
  it("a second run after the first ended is connected with nobody opening any page", async () => {
    ({ gate } = await chromeGate(root, permissions(), { openConnectPage: allowOnConnect(browser) }));
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    await gate.dispose();
    // Kept in the person's state folder, readable by the person alone.
    expect(statSync(relayFile()).mode & 0o777).toBe(0o600);
    const address = kept();

    const opened: string[] = [];
    const log = warningsLog();
    ({ gate } = await chromeGate(
      root,
      permissions(),
      { openConnectPage: (url) => void opened.push(url), connectTimeoutMs: 30_000 },
      log,
    ));
    const read = await gate.call({ tool: "chrome.read", input: {} });
    expect(read.status === "ok" && read.result.content).toContain("Shared page");
    expect(opened).toEqual([]);
    expect(log.warnings.join("\n")).toContain("connects by itself");
    expect(kept()).toEqual(address);
    await gate.dispose();
    gate = undefined;
  });

  it("a program that takes the port first gets no token and no tab, and the run says whose port it is", async () => {
    const address = kept();
    const paired = token();
    // It plays the relay as best it can: a challenge with a made-up proof, a welcome, and tab calls.
    const impostor = await impostorAt(address.port, (ws) => {
      ws.send(JSON.stringify({ type: "challenge", nonce: "n".repeat(32), proof: "0".repeat(64) }));
      ws.send(
        JSON.stringify({ type: "welcome", protocol: 3, name: "impostor", idleMs: 60_000, token: "x".repeat(43) }),
      );
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
    try {
      await waitUntil(() => impostor.closes.length > 0, "the extension to dial the kept address and leave", 30_000);

      const opened: string[] = [];
      const log = warningsLog();
      let plugin: Awaited<ReturnType<typeof chromeGate>>["plugin"];
      ({ gate, plugin } = await chromeGate(
        root,
        permissions(),
        { openConnectPage: (url) => void opened.push(url), connectTimeoutMs: 3_000 },
        log,
      ));
      const call = await gate.call({ tool: "chrome.read", input: {} });
      expect(call.status).toBe("error");
      const message = call.status === "error" ? call.message : "";
      expect(message).toContain(`127.0.0.1:${address.port} is taken by another program`);
      // The agent is told a person must act, never the new address's connect page (it holds the pairing path).
      expect(message).toContain("Next step: a person must open the connect page");
      expect(message).not.toContain("chrome-extension://");
      expect(log.warnings.join("\n")).toContain(`127.0.0.1:${address.port} is taken by another program`);
      expect(log.warnings.join("\n")).toContain(plugin.session.relay()!.connectUrl);
      // The person is shown the new address's connect page (an embedder's hook) and `chrome status` reads why.
      expect(opened).toHaveLength(1);
      expect(openPairingStore(root).readStatus()?.reason).toContain("is taken by another program");

      // Nothing the extension said carried the token, and no tab answered.
      expect(JSON.stringify(impostor.heard)).not.toContain(paired);
      expect(impostor.heard.map((m) => m.type)).not.toContain("result");
      expect(impostor.heard.map((m) => m.type)).not.toContain("answer");
      expect(await extensionStatus()).toMatchObject({ connected: false, attached: [] });

      // The person opens the new address once; it is kept from then on.
      await openConnectPage(browser, opened[0]!);
      const again = await gate.call({ tool: "chrome.read", input: {} });
      expect(again.status).toBe("ok");
      expect(kept().port).toBe(portOf(plugin.session.relay()!.extensionUrl));
      expect(kept().port).not.toBe(address.port);
    } finally {
      await gate?.dispose();
      gate = undefined;
      await impostor.close();
    }
  });

  it("a program at the kept address that passes the handshake on to the real relay gets no tab either", async () => {
    const address = kept();
    let realRelay: string | undefined;
    const forwarded: string[] = [];
    // The man in the middle: everything the extension says goes to the worksite's real relay (whose new address
    // and path it is even given here), with the extension's Origin, and everything the relay says comes back.
    const impostor = await impostorAt(address.port, (ws, hello) => {
      void (async () => {
        const url = await waitUntil(() => realRelay, "the real relay to start");
        const upstream = new WebSocket(url, { origin: `chrome-extension://${EXTENSION_ID}` });
        await new Promise((r) => upstream.once("open", r));
        upstream.on("message", (data) => {
          forwarded.push(String(data));
          if (ws.readyState === ws.OPEN) ws.send(String(data));
        });
        ws.on("message", (data) => upstream.readyState === upstream.OPEN && upstream.send(String(data)));
        ws.on("close", () => upstream.close());
        upstream.send(JSON.stringify(hello));
      })();
    });
    try {
      let plugin: Awaited<ReturnType<typeof chromeGate>>["plugin"];
      ({ gate, plugin } = await chromeGate(root, permissions(), {
        openConnectPage: () => {},
        connectTimeoutMs: 12_000,
      }));
      const pending = gate.call({ tool: "chrome.read", input: {} });
      realRelay = await waitUntil(() => plugin.session.relay()?.extensionUrl, "the run's relay to start");
      await waitUntil(
        () => forwarded.some((m) => (JSON.parse(m) as { type: string }).type === "challenge") && impostor.closes.length,
        "the extension to hear the relay's challenge through the impostor, and leave",
        30_000,
      );
      const call = await pending;
      expect(call.status).toBe("error");
      // The extension refused the relay's proof (made for another address): it never answered, nothing got through.
      expect(impostor.heard.map((m) => m.type)).not.toContain("answer");
      expect(forwarded.map((m) => (JSON.parse(m) as { type: string }).type)).not.toContain("welcome");
      expect(impostor.closes).toContain(4401);
      expect(await extensionStatus()).toMatchObject({ connected: false, attached: [] });
    } finally {
      await gate?.dispose();
      gate = undefined;
      await impostor.close();
    }
  });

  it("a program that heard the path the extension dials cannot pair there with the real relay", async () => {
    const paired = token();
    let relayOf: Awaited<ReturnType<typeof chromeGate>>["plugin"];
    ({ gate, plugin: relayOf } = await chromeGate(root, permissions(), {
      openConnectPage: () => {},
      connectTimeoutMs: 30_000,
    }));
    const plugin = () => relayOf.session.relay()!;
    // The reconnect path is no secret (anyone at the port while no relay runs hears it), so it never pairs.
    expect(dialledPaths.length).toBeGreaterThan(0);
    const tryToPair = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${kept().port}${dialledPaths.at(-1)}`, {
        origin: `chrome-extension://${EXTENSION_ID}`,
      });
      const heard: string[] = [];
      ws.on("message", (data) => void heard.push(String(data)));
      await new Promise((r) => ws.once("open", r));
      const worksite = openPairingStore(root).worksite;
      const closed = new Promise<[number, string]>((r) => ws.once("close", (c, why) => r([c, String(why)])));
      ws.send(JSON.stringify({ type: "hello", protocol: 3, worksite, nonce: "n".repeat(32), pair: true }));
      const [code, reason] = await Promise.race([
        closed,
        waitUntil(() => heard.length > 0, "an answer").then((): [number, string] => [0, heard.join("\n")]),
      ]);
      ws.terminate();
      return { code, reason, heard: heard.join("\n") };
    };
    try {
      expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
      // While the person's extension is connected, and after they pressed Stop (nothing connected at all).
      for (const when of ["connected", "stopped"]) {
        if (when === "stopped") {
          await hands.evaluate(() => chrome.runtime.sendMessage({ type: "stop" }));
          await waitUntil(() => plugin().state().connected === false, "the relay to lose the extension");
        }
        const attempt = await tryToPair();
        expect(attempt.heard, when).not.toContain('"welcome"');
        expect(attempt.code, when).toBe(4401);
        expect(attempt.reason, when).toContain("pairing happens only from the connect page");
        expect(token(), when).toBe(paired);
      }
    } finally {
      await gate.dispose();
      gate = undefined;
    }
  });
});

// The extension APIs, in the extension page the test evaluates in.
declare const chrome: any;
