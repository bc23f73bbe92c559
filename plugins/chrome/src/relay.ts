import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { isForwarded, paramsRefusal, RECONNECT_PATH, refusalOf } from "./cdp-methods.js";
import type { PairingStore } from "./pairing.js";
import {
  CLOSE,
  EXTENSION_ID,
  type ExtensionMessage,
  extensionMessageSchema,
  PROTOCOL_VERSION,
  type SharedTab,
  sharedTabSchema,
} from "./protocol.js";
import { listenAtKeptAddress } from "./relay-address.js";
import { extensionHandshake } from "./relay-handshake.js";

/*
 * The relay between one CDP client (this plugin's chrome-remote-interface)
 * and the worksite bridge extension, on 127.0.0.1 only, at the worksite's
 * kept port (pairing.ts, relay-address.ts). The extension comes in at two
 * paths: the connect page's, unguessable and new each process, where a person
 * may pair (Allow); and the fixed RECONNECT_PATH, where a paired extension
 * dials by itself and only the HMAC handshake gets in (anyone at the port
 * while no relay runs hears that path, so it is no secret and never pairs).
 * The CDP path is unguessable and new each process. It answers what a page-level client needs (Target.*,
 * Browser.getVersion) from the shared tabs, and forwards only the allow-listed
 * methods to a tab; every other method is refused with its reason.
 */

export interface RelayOptions {
  store: PairingStore;
  /** Shown to the person on the connect page. */
  name: string;
  /** The extension detaches from a tab the agent has not used for this long. */
  idleMs?: number;
  /** Extension id whose Origin the extension socket must carry. */
  extensionId?: string;
}

export interface Relay {
  /** What the CDP client connects to. */
  cdpUrl: string;
  /** What the extension connects to (only the connect page learns it). */
  extensionUrl: string;
  /** The extension's connect page for this relay: the person opens it once to pair; later runs need no click. */
  connectUrl: string;
  /** Listening at the worksite's kept address, where a paired extension comes back by itself. */
  atKeptAddress: boolean;
  /** Set when the kept address was taken and the relay listens elsewhere: who holds it (no connect page: see session.ts). */
  collision?: string;
  /** Whether the extension is connected, whether a CDP client is, and the last refusal. */
  state(): { connected: boolean; client: boolean; reason?: string };
  /** Resolves when an extension is connected; rejects with the last refusal's reason after `timeoutMs`. */
  waitForExtension(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const secret = () => randomBytes(18).toString("base64url");
const sessionOf = (tabId: number) => `s-${tabId}`;
const targetOf = (tabId: number) => `tab-${tabId}`;
const tabOfTarget = (id: unknown) => (typeof id === "string" && /^tab-\d+$/.test(id) ? Number(id.slice(4)) : undefined);
const tabOfSession = (id: unknown) => (typeof id === "string" && /^s-\d+$/.test(id) ? Number(id.slice(2)) : undefined);

interface CdpRequest {
  id: number;
  method: string;
  params?: Record<string, unknown>;
  sessionId?: string;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const { store } = options;
  const extensionId = options.extensionId ?? EXTENSION_ID;
  const extPath = `/extension/${secret()}`;
  const cdpPath = `/cdp/${secret()}`;
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  let extension: WebSocket | undefined;
  let client: WebSocket | undefined;
  let lastRefusal: string | undefined;
  let nextCall = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  const waiters = new Set<() => void>();
  let connectUrl = "";

  const status = (state: "waiting" | "connected" | "refused" | "stopped" | "closed", reason?: string) => {
    try {
      store.writeStatus({ state, ...(reason ? { reason } : {}), connectUrl });
    } catch {
      // The status file is a courtesy for `worksite chrome status`; the relay works without it.
    }
  };

  /** A second Chrome (or a second extension) on a worksite that one already serves. */
  const refuseBusy = (socket: WebSocket) =>
    refuse(
      socket,
      CLOSE.busy,
      "busy",
      "another extension is already connected to this worksite's relay; one Chrome serves a worksite at a time",
    );

  function refuse(socket: WebSocket, code: number, kind: string, reason: string) {
    // A refused newcomer (a second Chrome) leaves the connected extension and what status says of it as they are.
    if (!live()) {
      lastRefusal = reason;
      status("refused", reason);
    }
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: "refused", code: kind, reason }));
    socket.close(code, reason.slice(0, 120));
  }

  /** An extension is connected and has not begun to close: one that sent its close frame lets the next one in. */
  const live = () => extension !== undefined && extension.readyState === extension.OPEN;

  /** The extension's link is gone: its calls fail now rather than wait out their time. */
  function lost(socket: WebSocket, code: number, reason: string) {
    if (extension !== socket) return;
    extension = undefined;
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new Error("the worksite extension disconnected"));
      pending.delete(id);
    }
    if (code === 4000 || code === 4001) {
      lastRefusal = reason || "stopped in the extension";
      status("stopped", lastRefusal);
    } else status("waiting", "the extension disconnected; it reconnects by itself");
    // Every tab the client knew is gone until the extension is back.
    toClient({ method: "Inspector.detached", params: { reason: "extension disconnected" } });
  }

  function callExtension(message: Record<string, unknown>, timeoutMs = 30_000): Promise<unknown> {
    const ext = extension;
    if (!ext || !live()) return Promise.reject(new Error("the worksite extension is not connected"));
    const id = nextCall++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the extension did not answer ${String(message.action)} in time`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      ext.send(JSON.stringify({ type: "call", id, ...message }));
    });
  }

  async function shared(): Promise<SharedTab[]> {
    const out = (await callExtension({ action: "list" })) as { tabs?: unknown };
    return sharedTabSchema.array().parse(out.tabs ?? []);
  }

  const info = (t: SharedTab) => ({
    targetId: targetOf(t.tabId),
    type: "page",
    title: t.title,
    url: t.url,
    attached: true,
    canAccessOpener: false,
    browserContextId: "worksite",
  });

  function toClient(message: Record<string, unknown>) {
    if (client?.readyState === client?.OPEN) client?.send(JSON.stringify(message));
  }

  /** Target.* and Browser.* answered here, from the shared tabs; never forwarded. */
  async function browserLevel(req: CdpRequest): Promise<unknown> {
    const p = req.params ?? {};
    switch (req.method) {
      case "Browser.getVersion":
        return {
          protocolVersion: "1.3",
          product: "Chrome (worksite relay)",
          revision: "",
          userAgent: "",
          jsVersion: "",
        };
      case "Target.setDiscoverTargets":
        return {};
      case "Target.getTargets":
        return { targetInfos: (await shared()).map(info) };
      case "Target.setAutoAttach": {
        for (const tab of await shared())
          toClient({
            method: "Target.attachedToTarget",
            params: { sessionId: sessionOf(tab.tabId), targetInfo: info(tab), waitingForDebugger: false },
          });
        return {};
      }
      case "Target.attachToTarget": {
        const tabId = tabOfTarget(p.targetId);
        if (tabId === undefined || !(await shared()).some((t) => t.tabId === tabId))
          throw new Error(`no shared tab ${String(p.targetId)}: only tabs in the worksite group are visible`);
        return { sessionId: sessionOf(tabId) };
      }
      case "Target.createTarget": {
        const out = (await callExtension({ action: "create" })) as { tabId: number };
        return { targetId: targetOf(out.tabId) };
      }
      case "Target.closeTarget":
      case "Target.activateTarget": {
        const tabId = tabOfTarget(p.targetId);
        if (tabId === undefined) throw new Error(`no shared tab ${String(p.targetId)}`);
        await callExtension({ action: req.method === "Target.closeTarget" ? "close" : "activate", tabId });
        return req.method === "Target.closeTarget" ? { success: true } : {};
      }
      case "Target.detachFromTarget": {
        const tabId = tabOfSession(p.sessionId);
        if (tabId !== undefined) await callExtension({ action: "detach", tabId });
        return {};
      }
      default:
        throw new Error(`${req.method} is not available through the worksite relay`);
    }
  }

  async function handleClient(req: CdpRequest) {
    try {
      let result: unknown;
      if (req.sessionId === undefined) result = await browserLevel(req);
      else {
        const tabId = tabOfSession(req.sessionId);
        if (tabId === undefined) throw new Error(`unknown session ${req.sessionId}`);
        if (!isForwarded(req.method)) throw new Error(refusalOf(req.method));
        const badParams = paramsRefusal(req.method, req.params);
        if (badParams) throw new Error(badParams);
        result = await callExtension({ action: "cdp", tabId, method: req.method, params: req.params ?? {} });
      }
      toClient({ id: req.id, result: result ?? {}, ...(req.sessionId ? { sessionId: req.sessionId } : {}) });
    } catch (error) {
      toClient({
        id: req.id,
        error: { code: -32000, message: (error as Error).message },
        ...(req.sessionId ? { sessionId: req.sessionId } : {}),
      });
    }
  }

  function onExtensionMessage(message: ExtensionMessage) {
    switch (message.type) {
      case "ping":
        return;
      case "result": {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        clearTimeout(call.timer);
        if (message.error !== undefined) call.reject(new Error(message.error));
        else call.resolve(message.result);
        return;
      }
      case "event":
        toClient({ method: message.method, params: message.params ?? {}, sessionId: sessionOf(message.tabId) });
        return;
      case "tab-closed":
      case "tab-left":
        toClient({
          method: "Target.detachedFromTarget",
          params: { sessionId: sessionOf(message.tabId), targetId: targetOf(message.tabId), reason: message.type },
        });
        return;
      case "detached":
        return;
      default:
        return message satisfies never;
    }
  }

  function acceptExtension(socket: WebSocket, path: string) {
    extensionHandshake(socket, {
      store,
      // The proofs name the address the extension dialled: this port, and the path it came in at.
      address: `ws://127.0.0.1:${port}${path}`,
      pairing: path === extPath,
      busy: live,
      refuse,
      refuseBusy,
      greeted(socket, token) {
        // The same extension back while its old link is still closing (it replaced that link itself).
        if (extension && extension !== socket) lost(extension, 1000, "");
        extension = socket;
        lastRefusal = undefined;
        status("connected");
        // The extension keeps this address for the worksite now: every later process listens here again.
        if (kept?.port !== port) {
          try {
            store.keepAddress({ port });
            kept = { port };
          } catch {
            // Not kept: the next process picks its own address, and the person opens its connect page once.
          }
        }
        socket.send(
          JSON.stringify({
            type: "welcome",
            protocol: PROTOCOL_VERSION,
            name: options.name,
            idleMs: options.idleMs ?? 60_000,
            ...(token ? { token } : {}),
          }),
        );
        for (const wake of waiters) wake();
      },
      message(json) {
        const message = extensionMessageSchema.safeParse(json);
        if (message.success) onExtensionMessage(message.data);
      },
      leftUnproven(reason) {
        lastRefusal = reason;
        status("refused", lastRefusal);
      },
    });
    socket.on("close", (code, reason) => lost(socket, code, String(reason)));
  }

  function acceptClient(socket: WebSocket) {
    if (client)
      return socket.close(
        CLOSE.busy,
        "another CDP client is already connected to this relay; one worksite session drives the shared tabs",
      );
    client = socket;
    socket.on("message", (data) => {
      let req: CdpRequest;
      try {
        req = JSON.parse(String(data)) as CdpRequest;
      } catch {
        return;
      }
      if (typeof req.id !== "number" || typeof req.method !== "string") return;
      void handleClient(req);
    });
    socket.on("close", () => {
      if (client === socket) client = undefined;
    });
  }

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = req.url ?? "";
    const origin = req.headers.origin;
    if (path === extPath || path === RECONNECT_PATH) {
      // Only the bridge extension's own pages carry this Origin; a web page that learned the path cannot.
      if (origin !== `chrome-extension://${extensionId}`) return reject(socket, 403);
      wss.handleUpgrade(req, socket, head, (ws) => acceptExtension(ws, path));
    } else if (path === cdpPath) {
      if (origin !== undefined) return reject(socket, 403);
      wss.handleUpgrade(req, socket, head, acceptClient);
    } else reject(socket, 404);
  });

  const bound = await listenAtKeptAddress(http, store);
  const { port, collision: taken } = bound;
  let { kept } = bound;
  const extensionUrl = `ws://127.0.0.1:${port}${extPath}`;
  const query = new URLSearchParams({
    relay: extensionUrl,
    worksite: store.worksite,
    name: options.name,
    v: String(PROTOCOL_VERSION),
  });
  connectUrl = `chrome-extension://${extensionId}/connect.html?${query}`;
  // No connect page in it: the session puts this in what the agent reads (session.ts notConnected).
  const collision = taken && `${taken}; this run's relay is at a new address the extension does not know yet`;
  // `worksite chrome status` adds the next step (open the connect page) itself.
  status("waiting", collision || undefined);

  return {
    cdpUrl: `ws://127.0.0.1:${port}${cdpPath}`,
    extensionUrl,
    connectUrl,
    atKeptAddress: !collision && kept?.port === port,
    ...(collision ? { collision } : {}),
    state: () => ({
      connected: live(),
      client: client !== undefined,
      ...(lastRefusal ? { reason: lastRefusal } : {}),
    }),
    waitForExtension(timeoutMs, signal) {
      if (live()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          signal?.removeEventListener("abort", abort);
        };
        const wake = () => {
          done();
          resolve();
        };
        const abort = () => {
          done();
          reject(new Error("aborted while waiting for the extension"));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(lastRefusal ?? "waiting for the extension"));
        }, timeoutMs);
        waiters.add(wake);
        signal?.addEventListener("abort", abort, { once: true });
      });
    },
    async close() {
      status("closed");
      for (const socket of wss.clients) socket.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function reject(socket: Duplex, code: 403 | 404) {
  socket.end(`HTTP/1.1 ${code} ${code === 403 ? "Forbidden" : "Not Found"}\r\nconnection: close\r\n\r\n`);
}
