// The worksite bridge's service worker: one WebSocket to a worksite's relay on this computer, forwarding an
// allow-list of CDP methods to the tabs the person put in the "worksite" tab group, and nothing else.
import { allowed, GROUP_TITLE, loopbackRelay, PROTOCOL, refusal, visibleUrl } from "./cdp-methods.js";

/** @type {{ ws: WebSocket, relay: string, worksite: string, name: string, idleMs: number } | null} */
let link = null;
/** tabId → idle timer; a tab is attached only while the agent uses it. */
const attached = new Map();
/** tabId → the attach under way, so commands sent together wait for one attach instead of racing to make two. */
const attaching = new Map();
/**
 * tabId → the domains the worksite switched on (method → params), e.g. the navigation guard's Fetch.enable.
 * Chrome forgets them when the debugger detaches (idle); they are switched on again when it attaches, before the
 * command that attached it runs, so the guard stays on for the tab's lifetime as the worksite sees it.
 */
const enabled = new Map();
let keepalive = 0;
let retry = { timer: 0, delay: 500, until: 0 };

const send = (message) => {
  if (link && link.ws.readyState === WebSocket.OPEN) link.ws.send(JSON.stringify(message));
};

async function sharedGroups() {
  const groups = await chrome.tabGroups.query({ title: GROUP_TITLE });
  return new Set(groups.map((g) => g.id));
}

async function sharedTabs() {
  const groups = await sharedGroups();
  const tabs = await chrome.tabs.query({});
  return tabs.filter((t) => groups.has(t.groupId) && visibleUrl(t.url));
}

async function sharedTab(tabId) {
  const tab = await chrome.tabs.get(tabId).catch(() => undefined);
  if (!tab) throw new Error(`tab ${tabId} is closed`);
  if (!(await sharedGroups()).has(tab.groupId)) throw new Error(`tab ${tabId} is not in the ${GROUP_TITLE} group`);
  if (!visibleUrl(tab.url)) throw new Error(`tab ${tabId} shows a page worksite may not see`);
  return tab;
}

async function groupInto(tabId) {
  const [group] = await chrome.tabGroups.query({ title: GROUP_TITLE });
  if (group) {
    await chrome.tabs.group({ tabIds: [tabId], groupId: group.id });
    return;
  }
  const groupId = await chrome.tabs.group({ tabIds: [tabId] });
  await chrome.tabGroups.update(groupId, { title: GROUP_TITLE, color: "blue" });
}

function touch(tabId) {
  clearTimeout(attached.get(tabId));
  attached.set(
    tabId,
    setTimeout(() => void detach(tabId, "idle"), link?.idleMs ?? 60_000),
  );
}

function attach(tabId) {
  if (attached.has(tabId)) return touch(tabId);
  let pending = attaching.get(tabId);
  if (!pending) {
    pending = attachNow(tabId).finally(() => attaching.delete(tabId));
    attaching.set(tabId, pending);
  }
  return pending;
}

async function attachNow(tabId) {
  try {
    await chrome.debugger.attach({ tabId }, "1.3");
  } catch (error) {
    // A worker that Chrome stopped left its attachment behind; only this extension can detach it, and then attach anew.
    if (!/already attached/i.test(String(error?.message ?? error))) throw error;
    await chrome.debugger.detach({ tabId });
    await chrome.debugger.attach({ tabId }, "1.3");
  }
  for (const [method, params] of enabled.get(tabId) ?? [])
    await chrome.debugger.sendCommand({ tabId }, method, params).catch(() => {});
  touch(tabId);
  await chrome.action.setBadgeText({ tabId, text: "ON" }).catch(() => {});
  await chrome.action.setBadgeBackgroundColor({ tabId, color: "#1a73e8" }).catch(() => {});
}

/** tabId → the readiness of the last command sent to it: commands go to Chrome in the order the relay sent them. */
const lines = new Map();

function ready(tabId) {
  const next = (lines.get(tabId) ?? Promise.resolve()).then(async () => {
    // An attached tab is a shared one: leaving the group, closing, or showing a page worksite may not see
    // detaches it at once (onUpdated, onRemoved, tabGroups.onUpdated below), so only a new attach asks Chrome again.
    if (!attached.has(tabId)) await sharedTab(tabId);
    await attach(tabId);
  });
  lines.set(
    tabId,
    next.catch(() => {}),
  );
  return next;
}

/** Remembers what a command switched on or off, to switch it on again after a re-attach. */
function remember(tabId, method, params) {
  const [domain, verb] = method.split(".");
  const domains = enabled.get(tabId) ?? new Map();
  if (verb === "enable") domains.set(method, params);
  else if (verb === "disable") domains.delete(`${domain}.enable`);
  else return;
  enabled.set(tabId, domains);
}

async function detach(tabId, reason) {
  if (!attached.has(tabId)) return;
  clearTimeout(attached.get(tabId));
  attached.delete(tabId);
  await chrome.debugger.detach({ tabId }).catch(() => {});
  await chrome.action.setBadgeText({ tabId, text: "" }).catch(() => {});
  send({ type: "detached", tabId, reason });
}

async function detachAll(reason) {
  enabled.clear();
  await Promise.all([...attached.keys()].map((tabId) => detach(tabId, reason)));
}

async function call(message) {
  const { action, tabId } = message;
  switch (action) {
    case "list":
      return { tabs: (await sharedTabs()).map((t) => ({ tabId: t.id, url: t.url, title: t.title ?? "" })) };
    case "create": {
      const tab = await chrome.tabs.create({ url: "about:blank", active: true });
      await groupInto(tab.id);
      return { tabId: tab.id };
    }
    case "close":
      await sharedTab(tabId);
      await detach(tabId, "closed");
      await chrome.tabs.remove(tabId);
      return {};
    case "activate": {
      const tab = await sharedTab(tabId);
      await chrome.tabs.update(tabId, { active: true });
      await chrome.windows.update(tab.windowId, { focused: true }).catch(() => {});
      return {};
    }
    case "detach":
      await detach(tabId, "released");
      return {};
    case "cdp": {
      if (!allowed(message.method)) throw new Error(refusal(message.method));
      if (message.method === "Page.navigate" && !visibleUrl(message.params?.url))
        throw new Error(`Page.navigate to ${message.params?.url} is refused: only web pages`);
      await ready(tabId);
      const result = await chrome.debugger.sendCommand({ tabId }, message.method, message.params ?? {});
      remember(tabId, message.method, message.params ?? {});
      return result;
    }
    default:
      throw new Error(`unknown action ${action}`);
  }
}

chrome.debugger.onEvent.addListener((source, method, params) => {
  if (source.tabId !== undefined && attached.has(source.tabId))
    send({ type: "event", tabId: source.tabId, method, params });
});
chrome.debugger.onDetach.addListener((source, reason) => {
  if (source.tabId === undefined || !attached.has(source.tabId)) return;
  clearTimeout(attached.get(source.tabId));
  attached.delete(source.tabId);
  send({ type: "detached", tabId: source.tabId, reason });
});
chrome.tabs.onRemoved.addListener((tabId) => {
  clearTimeout(attached.get(tabId));
  attached.delete(tabId);
  enabled.delete(tabId);
  lines.delete(tabId);
  send({ type: "tab-closed", tabId });
});
chrome.tabs.onUpdated.addListener(async (tabId, change) => {
  if (change.groupId === undefined && change.url === undefined) return;
  const still = await sharedTab(tabId).then(
    () => true,
    () => false,
  );
  if (!still) {
    enabled.delete(tabId);
    await detach(tabId, "unshared");
    send({ type: "tab-left", tabId });
  }
});

// A group renamed away from "worksite" unshares every tab in it.
chrome.tabGroups.onUpdated.addListener(async () => {
  for (const tabId of [...attached.keys()]) {
    const still = await sharedTab(tabId).then(
      () => true,
      () => false,
    );
    if (!still) {
      enabled.delete(tabId);
      await detach(tabId, "unshared");
      send({ type: "tab-left", tabId });
    }
  }
});

function startKeepalive() {
  clearInterval(keepalive);
  // Traffic on the socket keeps the service worker alive (Chrome 116+), and tells the relay we are here.
  keepalive = setInterval(() => send({ type: "ping" }), 20_000);
}

function randomHex(bytes) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA-256 of `message` keyed by the pairing token, hex: what the plugin's pairing.ts computes. */
async function sign(token, message) {
  const encode = (text) => new TextEncoder().encode(text);
  const key = await crypto.subtle.importKey("raw", encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The relay could not prove it holds this worksite's token: the pairing was made anew elsewhere, or whatever
 * listens there is not the worksite's relay. Either way nothing goes further; the relay (if real) hears why.
 */
function unproven(ws, relay) {
  const reason = `token refused: ${relay} does not prove it holds this worksite's pairing (paired anew, or not your worksite's relay)`;
  if (ws.readyState === WebSocket.OPEN) ws.close(4401, reason.slice(0, 120));
  return { type: "refused", code: "token-refused", reason };
}

/** Opens the link to a relay; resolves with ok, or with the reason it was refused. */
async function connect({ relay, worksite, name, pair }) {
  if (!loopbackRelay(relay))
    return { ok: false, code: "not-loopback", reason: `refused: ${relay} is not a relay on this computer` };
  const { pairings = {} } = await chrome.storage.local.get("pairings");
  // Allow (pair) asks for a new token even when one is stored: the old one may have been refused.
  const token = pairings[worksite]?.token;
  if (!token && !pair) return { ok: false, code: "not-paired", reason: "this worksite is not paired yet" };
  if (link) {
    if (link.relay === relay && link.ws.readyState === WebSocket.OPEN) return { ok: true, name: link.name };
    link.ws.close(1000, "replaced");
    link = null;
  }
  const ws = new WebSocket(relay);
  const nonce = randomHex(24);
  const answer = await new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ type: "refused", code: "unreachable", reason: "the relay did not answer" }),
      10_000,
    );
    const done = (message) => {
      clearTimeout(timer);
      resolve(message);
    };
    ws.onerror = () =>
      done({
        type: "refused",
        code: "unreachable",
        reason: "the relay is not reachable (is the worksite run still going?)",
      });
    ws.onclose = (e) =>
      done({ type: "refused", code: "closed", reason: e.reason || "the relay closed the connection" });
    ws.onopen = () =>
      ws.send(
        JSON.stringify({
          type: "hello",
          protocol: PROTOCOL,
          worksite,
          extension: chrome.runtime.id,
          nonce,
          ...(pair || !token ? { pair: true } : {}),
        }),
      );
    // The token never goes on the wire: whoever listens at a relay's old address learns nothing from us, and
    // only a relay that proves it holds the same token (protocol.ts in the plugin) is welcome to drive a tab.
    let proven = false;
    ws.onmessage = async (e) => {
      let message;
      try {
        message = JSON.parse(e.data);
      } catch {
        return done(unproven(ws, relay));
      }
      if (message.type === "challenge" && token && !pair && !proven) {
        const expected = await sign(token, `relay:${worksite}:${nonce}`);
        if (typeof message.proof !== "string" || message.proof !== expected) return done(unproven(ws, relay));
        proven = true;
        ws.send(JSON.stringify({ type: "answer", proof: await sign(token, `extension:${worksite}:${message.nonce}`) }));
        return;
      }
      if (message.type === "welcome" && !proven && !(pair || !token)) return done(unproven(ws, relay));
      if (message.type === "welcome" && (pair || !token) && typeof message.token !== "string")
        return done(unproven(ws, relay));
      done(message);
    };
  });
  if (answer.type !== "welcome") {
    ws.close();
    return { ok: false, code: answer.code ?? "refused", reason: answer.reason ?? "refused" };
  }
  // Handlers first: a call the relay sends right after its welcome must not land in the hello handler.
  link = { ws, relay, worksite, name: answer.name ?? name ?? worksite, idleMs: answer.idleMs ?? 60_000 };
  ws.onmessage = (e) => void onRelayMessage(ws, e.data);
  ws.onclose = (e) => void onRelayClosed(ws, e);
  ws.onerror = () => {};
  retry = { timer: 0, delay: 500, until: 0 };
  if (answer.token) {
    pairings[worksite] = { token: answer.token, name: link.name, pairedAt: new Date().toISOString() };
    await chrome.storage.local.set({ pairings });
  }
  await chrome.storage.local.set({ last: { relay, worksite, name: link.name }, stopped: false });
  startKeepalive();
  return { ok: true, name: link.name, paired: Boolean(answer.token) };
}

async function onRelayMessage(ws, data) {
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    return;
  }
  if (message.type !== "call") return;
  try {
    const result = await call(message);
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "result", id: message.id, result }));
  } catch (error) {
    if (ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ type: "result", id: message.id, error: String(error?.message ?? error) }));
  }
}

async function onRelayClosed(ws, event) {
  if (link?.ws !== ws) return;
  link = null;
  clearInterval(keepalive);
  await detachAll("relay closed");
  // A refusal or a person's Stop is final; anything else (a relay restarting, a network blip) is retried for a while.
  if (event.code >= 4000) return;
  scheduleReconnect();
}

function scheduleReconnect() {
  clearTimeout(retry.timer);
  if (!retry.until) retry.until = Date.now() + 5 * 60_000;
  if (Date.now() > retry.until) return;
  retry.timer = setTimeout(() => void resume(), retry.delay);
  retry.delay = Math.min(retry.delay * 2, 10_000);
}

/** After a service-worker restart or a lost connection: back to the last relay, if it was paired and not stopped. */
async function resume() {
  const { last, stopped, pairings = {} } = await chrome.storage.local.get(["last", "stopped", "pairings"]);
  if (!last || stopped || !pairings[last.worksite] || link) return;
  const outcome = await connect({ relay: last.relay, worksite: last.worksite, name: last.name, pair: false });
  if (!outcome.ok && (outcome.code === "unreachable" || outcome.code === "closed")) scheduleReconnect();
}

async function stop() {
  await chrome.storage.local.set({ stopped: true });
  clearTimeout(retry.timer);
  await detachAll("stopped");
  if (link) link.ws.close(4000, "stopped by the person in the extension popup");
  link = null;
  clearInterval(keepalive);
}

async function forget(worksite) {
  const { pairings = {} } = await chrome.storage.local.get("pairings");
  delete pairings[worksite];
  await chrome.storage.local.set({ pairings });
  if (link?.worksite === worksite) {
    await detachAll("forgotten");
    link.ws.close(4001, "the person forgot this worksite's pairing in the extension");
    link = null;
  }
}

async function status() {
  const { pairings = {} } = await chrome.storage.local.get("pairings");
  return {
    connected: Boolean(link && link.ws.readyState === WebSocket.OPEN),
    worksite: link?.worksite,
    name: link?.name,
    attached: [...attached.keys()],
    pairings: Object.entries(pairings).map(([worksite, p]) => ({ worksite, name: p.name, pairedAt: p.pairedAt })),
  };
}

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  // Only the extension's own pages (connect, popup) may ask; no content script exists to ask.
  if (sender.id !== chrome.runtime.id || !sender.url?.startsWith(`chrome-extension://${chrome.runtime.id}/`)) return;
  const work =
    message.type === "connect"
      ? connect(message)
      : message.type === "stop"
        ? stop()
        : message.type === "forget"
          ? forget(message.worksite)
          : message.type === "status"
            ? status()
            : Promise.resolve({ ok: false, reason: "unknown request" });
  work.then(reply, (error) => reply({ ok: false, reason: String(error?.message ?? error) }));
  return true;
});

// A browser restart starts the worker again; so does any tab event after Chrome suspended it.
/**
 * A worker Chrome stopped leaves its debugger attachments behind, with whatever they switched on: a document the
 * guard paused then waits for an answer no one sends, and the person's own navigation in that tab hangs. A new
 * worker lets go of them first (detach ends the pause); the next command attaches afresh.
 */
async function releaseLeftovers() {
  const targets = await chrome.debugger.getTargets().catch(() => []);
  await Promise.all(
    targets
      .filter((t) => t.attached && t.tabId !== undefined && !attached.has(t.tabId) && !attaching.has(t.tabId))
      .map((t) => chrome.debugger.detach({ tabId: t.tabId }).catch(() => {})),
  );
}

chrome.runtime.onStartup.addListener(() => void resume());
chrome.runtime.onInstalled.addListener(() => void resume());
void releaseLeftovers().then(resume);
