import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { type ToolContext, UserError, WorksiteError } from "@worksite/core";
import CDP, { type CdpEventMessage, type Client } from "chrome-remote-interface";
import { activePortWebSocket, browserWebSocket } from "./endpoint.js";
import { type ResolvedChromeOptions, wayIn } from "./options.js";
import { openPairingStore } from "./pairing.js";
import { type Relay, startRelay } from "./relay.js";

/** One tab the person shared (extension) or the plugin opened (endpoint). */
export interface ChromeTab {
  id: number;
  targetId: string;
  sessionId: string;
  /** Wakes a waiting action when the guard refuses a document. */
  onBlocked?: () => void;
  /** Which frame each ref was handed out in. */
  refFrames: Map<string, string>;
  nextRef: number;
  closed?: string;
  /** Navigations the guard refused on this tab, and how many of them a result has reported. */
  blocked: { url: string; reason: string }[];
  reported: number;
  /** The URL the current call was decided on: its own navigation goes through once. */
  allowOnce?: string;
  /** Unsubscribes the tab's document guard (guard.ts), once installed. */
  guard?: () => void;
  /** The guard's page events and document pause, switched on once for the tab's lifetime (guard.ts `arm`). */
  armed?: Promise<void>;
  /** The main frame's id (it does not change when the tab navigates). */
  mainFrame?: string;
  /** Each frame's isolated-world context id, kept until the frame navigates (page-ops.ts). */
  worlds: Map<string, Promise<number>>;
}

export interface ChromeSession {
  readonly options: ResolvedChromeOptions;
  /** Name of the isolated world (and the ref store inside it) the page cannot see. */
  readonly world: string;
  /** Connects if needed and returns the current tab; `create` opens one in the group when none is shared. */
  use(ctx: ToolContext, opts?: { create?: boolean }): Promise<ChromeTab>;
  peek(): ChromeTab | undefined;
  tabs(ctx: ToolContext): Promise<ChromeTab[]>;
  newTab(ctx: ToolContext): Promise<ChromeTab>;
  select(id: number): ChromeTab;
  closeTab(id: number): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: a CDP reply's shape depends on the method; each caller names the fields it reads
  send<T = any>(tab: ChromeTab, method: string, params?: Record<string, unknown>): Promise<T>;
  /** Subscribes to the tab's events; returns the unsubscribe. */
  listen(tab: ChromeTab, listener: (method: string, params: Record<string, unknown>) => void): () => void;
  relay(): Relay | undefined;
  /** The context of the latest call: page-initiated navigations are decided and audited under it. */
  bound(): ToolContext | undefined;
  /** Ends the session: detaches from every tab, closes the relay. The person's Chrome stays as it is. */
  close(): Promise<void>;
}

export interface ChromeSessionHooks {
  /** Runs once per tab before a call first uses it (the plugin arms the navigation guard there). */
  prepare?(session: ChromeSession, tab: ChromeTab): Promise<void>;
}

/**
 * The extension did not come. The next step is part of the message ("not connected" with no clue why is what people
 * hate about bridges); it is not a hint as well, which the gate would add to the message a second time.
 * It names no connect page: this message reaches the agent (the tool result, the audit log, an MCP client), and the
 * page's address carries the relay's pairing path, where a program that read it could pair in the extension's
 * place. The address goes only where a person reads it: the process's own terminal (the warning logged when the
 * relay starts), `worksite chrome status` and `worksite chrome connect`.
 */
function notConnected(error: Error, waitedMs: number, relay: Relay, paired: boolean): UserError {
  const next = paired
    ? "a person must open the connect page this worksite's process printed in their terminal (`worksite chrome status --worksite DIR` shows it too) or run `worksite chrome connect --worksite DIR`, then call again"
    : "a person must run `worksite chrome connect --worksite DIR` and click Allow on the connect page it prints, then call again";
  // At the kept address a paired extension comes by itself: if it did not, Chrome is closed or the person stopped it.
  const why =
    paired && relay.atKeptAddress
      ? " The paired extension comes back to this worksite's relay by itself; it did not, so Chrome is not running, the extension is not loaded in it, or Stop was pressed in its popup."
      : relay.collision
        ? ` ${relay.collision}.`
        : "";
  return new UserError(
    `Chrome is not connected: the worksite extension did not connect within ${Math.round(waitedMs / 1000)} s (${error.message}).${why} Next step: ${next}`,
  );
}

export function createChromeSession(options: ResolvedChromeOptions, hooks: ChromeSessionHooks = {}): ChromeSession {
  const world = `worksite_${randomBytes(8).toString("hex")}`;
  let client: Client | undefined;
  let relay: Relay | undefined;
  let connecting: Promise<void> | undefined;
  let tabs: ChromeTab[] = [];
  let current: ChromeTab | undefined;
  let nextId = 1;
  /** Endpoint mode sees only the tabs it opened itself. */
  const own = new Set<string>();
  const listeners = new Set<(m: CdpEventMessage) => void>();
  let endpoint = options.endpoint;
  let boundCtx: ToolContext | undefined;
  let connectMs = options.connectTimeoutMs;

  function endTab(sessionId: string, why: string) {
    const tab = tabs.find((t) => t.sessionId === sessionId);
    if (!tab) return;
    tab.closed = why;
    tab.guard?.();
    tabs = tabs.filter((t) => t !== tab);
    if (current === tab) current = undefined;
  }

  async function connect(ctx: ToolContext) {
    let target: string;
    const way = wayIn(options, ctx.worksite);
    connectMs = way.connectTimeoutMs;
    endpoint = Boolean(way.browserUrl || way.autoConnect);
    if (way.browserUrl) target = await browserWebSocket(way.browserUrl, ctx.signal);
    else if (way.autoConnect) target = await activePortWebSocket(way.autoConnect);
    else {
      const store = openPairingStore(ctx.worksite);
      // One relay for the session: after a call gave up waiting, the address it named still works for the next.
      if (!relay) {
        relay = await startRelay({ store, name: way.name ?? basename(ctx.worksite), idleMs: way.idleMs });
        // Warnings, not info: `worksite run` / `worksite mcp` show warnings only, and these may need the person.
        if (relay.collision)
          ctx.log.warn(`Chrome bridge: ${relay.collision}: open ${relay.connectUrl} in your Chrome once`);
        else if (relay.atKeptAddress && store.has())
          // A scheduled wake with nobody around: the paired extension keeps dialling this address and comes by itself.
          ctx.log.warn(
            `Chrome bridge: waiting for the paired extension at this worksite's relay address (it connects by itself); if it does not, open its connect page in your Chrome: ${relay.connectUrl}`,
          );
        else
          ctx.log.warn(
            `Chrome bridge: waiting for the worksite extension; open its connect page in your Chrome: ${relay.connectUrl}`,
          );
        if (!(relay.atKeptAddress && store.has())) await options.openConnectPage?.(relay.connectUrl);
      }
      const r = relay;
      await r.waitForExtension(connectMs, ctx.signal).catch((error: Error) => {
        throw notConnected(error, connectMs, r, store.has());
      });
      target = relay.cdpUrl;
    }
    client = await CDP({ target, local: true });
    client.on("event", (message) => {
      if (message.method === "Target.detachedFromTarget" && message.params.sessionId)
        endTab(String(message.params.sessionId), "the tab was closed or taken out of the worksite group");
      if (message.method === "Inspector.detached")
        for (const t of [...tabs]) endTab(t.sessionId, "the extension disconnected");
      for (const l of listeners) l(message);
    });
    client.on("disconnect", () => {
      client = undefined;
      for (const t of [...tabs]) endTab(t.sessionId, "the connection to Chrome ended");
    });
  }

  async function ensure(ctx: ToolContext): Promise<Client> {
    if (!client) {
      connecting ??= connect(ctx).finally(() => {
        connecting = undefined;
      });
      await connecting;
    }
    if (!client) throw new WorksiteError("tool-failed", "The connection to Chrome ended.");
    // The extension went away (a service-worker restart, a browser restart): it comes back by itself.
    if (relay && !relay.state().connected) {
      const r = relay;
      await r.waitForExtension(connectMs, ctx.signal).catch((error: Error) => {
        throw notConnected(error, connectMs, r, true);
      });
    }
    return client;
  }

  async function refresh(ctx: ToolContext): Promise<ChromeTab[]> {
    const c = await ensure(ctx);
    const { targetInfos } = (await c.send("Target.getTargets")) as {
      targetInfos: { targetId: string; type: string; url: string }[];
    };
    const pages = targetInfos.filter(
      (t) => t.type === "page" && (!endpoint || own.has(t.targetId)) && /^(https?:|about:blank)/.test(t.url),
    );
    for (const info of pages) {
      if (tabs.some((t) => t.targetId === info.targetId)) continue;
      const { sessionId } = (await c.send("Target.attachToTarget", { targetId: info.targetId, flatten: true })) as {
        sessionId: string;
      };
      tabs.push({
        id: nextId++,
        targetId: info.targetId,
        sessionId,
        refFrames: new Map(),
        worlds: new Map(),
        nextRef: 1,
        blocked: [],
        reported: 0,
      });
    }
    const live = new Set(pages.map((p) => p.targetId));
    tabs = tabs.filter((t) => live.has(t.targetId));
    if (current && !tabs.includes(current)) current = undefined;
    return [...tabs];
  }

  const session: ChromeSession = {
    options,
    world,
    async use(ctx, opts) {
      boundCtx = ctx;
      if (!current || current.closed || !client) {
        const list = await refresh(ctx);
        current = list[0];
        if (!current && opts?.create) current = await session.newTab(ctx);
      }
      if (!current)
        throw new WorksiteError(
          "tool-failed",
          endpoint
            ? "No tab is open for this worksite yet; chrome.open a URL first."
            : 'No tab is shared with this worksite: drag a tab into the "worksite" tab group in Chrome, or chrome.open a URL (it opens in the group).',
        );
      const tab = current;
      await hooks.prepare?.(session, tab);
      return tab;
    },
    peek: () => (current && !current.closed ? current : undefined),
    tabs: (ctx) => refresh(ctx),
    async newTab(ctx) {
      const c = await ensure(ctx);
      const { targetId } = (await c.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
      own.add(targetId);
      await refresh(ctx);
      const tab = tabs.find((t) => t.targetId === targetId);
      if (!tab) throw new WorksiteError("tool-failed", "Chrome opened a tab that did not join the worksite group.");
      current = tab;
      return tab;
    },
    select(id) {
      const tab = tabs.find((t) => t.id === id);
      if (!tab) throw new WorksiteError("not-found", `No shared tab ${id}; chrome.tabs lists them.`);
      current = tab;
      return tab;
    },
    async closeTab(id) {
      const tab = tabs.find((t) => t.id === id);
      if (!tab || !client) throw new WorksiteError("not-found", `No shared tab ${id}; chrome.tabs lists them.`);
      await client.send("Target.closeTarget", { targetId: tab.targetId });
      endTab(tab.sessionId, "closed by chrome.tabs");
    },
    async send(tab, method, params = {}) {
      if (tab.closed)
        throw new WorksiteError("tool-failed", `Tab ${tab.id} is gone: ${tab.closed}. Its session ended.`);
      if (!client) throw new WorksiteError("tool-failed", "The connection to Chrome ended.");
      return client.send(method, params, tab.sessionId);
    },
    listen(tab, listener) {
      const wrapped = (m: CdpEventMessage) => {
        if (m.sessionId === tab.sessionId) listener(m.method, m.params);
      };
      listeners.add(wrapped);
      return () => listeners.delete(wrapped);
    },
    relay: () => relay,
    bound: () => boundCtx,
    async close() {
      const c = client;
      const r = relay;
      client = undefined;
      relay = undefined;
      tabs = [];
      current = undefined;
      if (c && endpoint) for (const targetId of own) await c.send("Target.closeTarget", { targetId }).catch(() => {});
      own.clear();
      await c?.close().catch(() => {});
      await r?.close();
    },
  };
  return session;
}
