// The worksite bridge's service worker: one WebSocket to a worksite's relay on this computer, forwarding an
// allow-list of CDP methods to the tabs the person put in the "worksite" tab group, and nothing else.
import { loopbackRelay, PROTOCOL, reconnectAddress } from "./cdp-methods.js";
import { attachedTabs, call, detachAll, releaseLeftovers, useRelay } from "./tabs.js";

/** @type {{ ws: WebSocket, relay: string, worksite: string, name: string, idleMs: number } | null} */
let link = null;
let keepalive = 0;
let retry = { timer: 0, delay: 500 };

const send = (message) => {
  if (link && link.ws.readyState === WebSocket.OPEN) link.ws.send(JSON.stringify(message));
};
useRelay({ send, idleMs: () => link?.idleMs ?? 60_000 });

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
        // Both proofs name the address dialled: a program here that passes our hello on to the worksite's relay
        // at another address gets a proof made for that address, which we refuse (protocol.ts in the plugin).
        const expected = await sign(token, `relay:${worksite}:${nonce}:${relay}`);
        if (typeof message.proof !== "string" || message.proof !== expected) return done(unproven(ws, relay));
        proven = true;
        const proof = await sign(token, `extension:${worksite}:${message.nonce}:${relay}`);
        ws.send(JSON.stringify({ type: "answer", proof }));
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
  ws.onclose = () => void onRelayClosed(ws);
  ws.onerror = () => {};
  retry = { timer: 0, delay: 500 };
  await chrome.alarms.clear(RECONNECT).catch(() => {});
  // The relay's port is kept with the pairing: the worksite's every process listens there, and we dial it again.
  const fresh = await chrome.storage.local.get("pairings");
  const kept = fresh.pairings ?? {};
  // Dialled again at the relay's port and the fixed reconnect path, where only the handshake gets in.
  const again = reconnectAddress(relay);
  if (answer.token)
    kept[worksite] = { token: answer.token, name: link.name, pairedAt: new Date().toISOString(), relay: again };
  else if (kept[worksite]) kept[worksite] = { ...kept[worksite], name: link.name, relay: again };
  await chrome.storage.local.set({ pairings: kept, last: { relay, worksite, name: link.name }, stopped: false });
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

async function onRelayClosed(ws) {
  if (link?.ws !== ws) return;
  link = null;
  clearInterval(keepalive);
  await detachAll("relay closed");
  // The worksite's next process (a later run, a scheduled wake) listens at the same address: keep dialling it.
  scheduleReconnect();
}

const RECONNECT = "worksite-reconnect";

/**
 * Dials the paired relays again: soon while the worker runs (0.5 s doubling to 5 s; each try calls extension APIs,
 * which keeps the worker running), and from an alarm every 30 s when Chrome stopped the worker anyway. Only a
 * person's Stop ends it (until they open a connect page); forgetting a worksite drops its address.
 */
function scheduleReconnect() {
  clearTimeout(retry.timer);
  retry.timer = setTimeout(() => void resume(), retry.delay);
  retry.delay = Math.min(retry.delay * 2, 5_000);
  void chrome.alarms.create(RECONNECT, { periodInMinutes: 0.5 }).catch(() => {});
}

let resuming = false;

/**
 * After a relay closed, a service-worker restart or a browser restart: back to the worksites' relays, the last one
 * first, if paired and not stopped. Whatever answers must prove it holds the pairing (connect), so dialling an
 * address some other program took since gives that program nothing.
 */
async function resume() {
  if (resuming || link) return;
  resuming = true;
  try {
    const { last, stopped, pairings = {} } = await chrome.storage.local.get(["last", "stopped", "pairings"]);
    const targets = Object.entries(pairings)
      .filter(([worksite, p]) => typeof p.relay === "string" && worksite !== last?.worksite)
      .map(([worksite, p]) => ({ relay: p.relay, worksite, name: p.name }));
    // The last worksite first; a pairing made before addresses were kept has only `last` to go by.
    if (last && pairings[last.worksite])
      targets.unshift({ ...last, relay: pairings[last.worksite].relay ?? last.relay });
    if (targets.length === 0 || stopped) {
      await chrome.alarms.clear(RECONNECT).catch(() => {});
      return;
    }
    for (const target of targets) {
      if (link) return;
      const outcome = await connect({ ...target, pair: false });
      if (outcome.ok) return;
    }
    scheduleReconnect();
  } finally {
    resuming = false;
  }
}

async function stop() {
  await chrome.storage.local.set({ stopped: true });
  clearTimeout(retry.timer);
  await chrome.alarms.clear(RECONNECT).catch(() => {});
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
    attached: attachedTabs(),
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
chrome.runtime.onStartup.addListener(() => void resume());
chrome.runtime.onInstalled.addListener(() => void resume());
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RECONNECT) void resume();
});
void releaseLeftovers().then(resume);
