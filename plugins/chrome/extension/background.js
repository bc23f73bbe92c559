// The worksite bridge's service worker: one WebSocket to a worksite's relay on this computer, forwarding an
// allow-list of CDP methods to the tabs the person put in the "worksite" tab group, and nothing else.
import { loopbackRelay, reconnectAddress } from "./cdp-methods.js";
import { closed, dial } from "./dial.js";
import { attachedTabs, call, detachAll, releaseLeftovers, useRelay } from "./tabs.js";

/*
 * The link's states, and how it moves between them. Every change of state runs inside `serial`, one at a time, so
 * a connect page and the extension's own redial never dial at once, and no step sees another half done.
 *
 *   idle      no link and no redial: nothing paired with a kept address, or the person pressed Stop.
 *   dialling  one attempt in flight (`dial`); a connect page's request or a redial that comes meanwhile waits.
 *   linked    `link` is set: the relay proved it holds the pairing, or the person just paired (Allow).
 *   waiting   no link; exactly one redial timer (0.5 s doubling to 5 s), and a 30 s alarm in case Chrome stops
 *             the worker before the timer fires.
 *
 *   linked   → the relay closes, the socket errs                        → waiting (settle)
 *   dialling → refused, unreachable, timed out, handshake failed         → waiting (settle)
 *   dialling → welcomed                                                  → linked
 *   waiting  → the timer or the alarm fires, the worker starts           → dialling each paired relay, last first
 *   linked   → a connect page for the same worksite at the same host:port → linked, the same link (no Allow
 *              asked: the page's path is another door to the very relay we are in)
 *   linked   → a connect page for another relay, or Allow (a new pairing) → the live link is closed and its close
 *              awaited (so the relay no longer counts it), then dialling
 *   any      → Stop → idle (an attempt in flight when Stop came is closed when it ends) until the person opens a
 *              connect page; forget → the same for that worksite, then waiting if other worksites are paired
 *
 * The one rule that keeps it from getting stuck: every path that ends with no link goes through `settle`, which
 * schedules exactly one redial (one timer, one alarm) unless the person pressed Stop or nothing is paired.
 */

/** @type {{ ws: WebSocket, relay: string, worksite: string, name: string, idleMs: number } | null} */
let link = null;
let keepalive = 0;
let retry = { timer: 0, delay: 500 };
/** Bumped by Stop: an attempt that began before it is closed when it ends instead of becoming the link. */
let epoch = 0;
let queue = Promise.resolve();

/** Runs `work` after every change of state queued before it. */
function serial(work) {
  const run = queue.then(work);
  queue = run.catch(() => {});
  return run;
}

const send = (message) => {
  if (link && link.ws.readyState === WebSocket.OPEN) link.ws.send(JSON.stringify(message));
};
useRelay({ send, idleMs: () => link?.idleMs ?? 60_000 });

const RECONNECT = "worksite-reconnect";

const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
};

/** Whether the live link already serves `worksite` at `relay`'s host:port (the connect page's path or the redial's). */
const linkedTo = (relay, worksite) =>
  link !== null &&
  link.ws.readyState === WebSocket.OPEN &&
  link.worksite === worksite &&
  hostOf(link.relay) !== undefined &&
  hostOf(link.relay) === hostOf(relay);

/** The relays to dial by ourselves: the last worksite first; a pairing made before addresses were kept has only `last`. */
async function targets() {
  const { last, stopped, pairings = {} } = await chrome.storage.local.get(["last", "stopped", "pairings"]);
  if (stopped) return [];
  const out = Object.entries(pairings)
    .filter(([worksite, p]) => typeof p.relay === "string" && worksite !== last?.worksite)
    .map(([worksite, p]) => ({ relay: p.relay, worksite, name: p.name }));
  if (last && pairings[last.worksite]) out.unshift({ ...last, relay: pairings[last.worksite].relay ?? last.relay });
  return out;
}

/** No link: one redial scheduled (replacing any earlier one), unless Stop was pressed or nothing is paired. */
async function settle() {
  if (link) return;
  if ((await targets()).length === 0) {
    clearTimeout(retry.timer);
    await chrome.alarms.clear(RECONNECT).catch(() => {});
    return;
  }
  clearTimeout(retry.timer);
  retry.timer = setTimeout(() => void serial(resume), retry.delay);
  retry.delay = Math.min(retry.delay * 2, 5_000);
  await chrome.alarms.create(RECONNECT, { periodInMinutes: 0.5 }).catch(() => {});
}

/** Ends the live link on purpose (replaced, stopped, forgotten): waits until the relay has seen it go. */
async function drop(code, reason) {
  const old = link;
  link = null;
  clearInterval(keepalive);
  if (!old) return;
  old.ws.close(code, reason);
  await closed(old.ws);
  await detachAll(reason);
}

/** One attempt, inside `serial`; the caller settles when it fails. */
async function attempt({ relay, worksite, name, pair }) {
  if (!loopbackRelay(relay))
    return { ok: false, code: "not-loopback", reason: `refused: ${relay} is not a relay on this computer` };
  const { pairings = {} } = await chrome.storage.local.get("pairings");
  // Allow (pair) asks for a new token even when one is stored: the old one may have been refused.
  const token = pairings[worksite]?.token;
  if (!token && !pair) return { ok: false, code: "not-paired", reason: "this worksite is not paired yet" };
  if (!pair && linkedTo(relay, worksite)) return { ok: true, name: link.name };
  if (link) await drop(1000, "replaced");
  const started = epoch;
  const outcome = await dial({ relay, worksite, token, pair });
  if (outcome.refused) return { ok: false, ...outcome.refused };
  const { ws, welcome } = outcome;
  if (epoch !== started) {
    ws.close(4000, "stopped by the person in the extension popup");
    return { ok: false, code: "stopped", reason: "stopped by the person" };
  }
  // Handlers first, in this same turn: a call the relay sends right after its welcome must reach onRelayMessage.
  link = { ws, relay, worksite, name: welcome.name ?? name ?? worksite, idleMs: welcome.idleMs ?? 60_000 };
  ws.onmessage = (e) => void onRelayMessage(ws, e.data);
  ws.onclose = () => onRelayClosed(ws);
  ws.onerror = () => {};
  clearTimeout(retry.timer);
  retry = { timer: 0, delay: 500 };
  startKeepalive();
  await chrome.alarms.clear(RECONNECT).catch(() => {});
  // Dialled again at the relay's port and the fixed reconnect path, where only the handshake gets in: every
  // process of the worksite listens at that port.
  const fresh = await chrome.storage.local.get("pairings");
  const kept = fresh.pairings ?? {};
  const again = reconnectAddress(relay);
  const linkedName = link?.name ?? name ?? worksite;
  if (welcome.token)
    kept[worksite] = { token: welcome.token, name: linkedName, pairedAt: new Date().toISOString(), relay: again };
  else if (kept[worksite]) kept[worksite] = { ...kept[worksite], name: linkedName, relay: again };
  // Not `stopped: false`: a Stop pressed while this ran must hold (a connect page lifts Stop itself, in connect).
  await chrome.storage.local.set({ pairings: kept, last: { relay, worksite, name: linkedName } });
  return { ok: true, name: linkedName, paired: Boolean(welcome.token) };
}

/** A connect page's request (the person opened it, or clicked Allow): it lifts an earlier Stop, whatever the outcome. */
function connect(request) {
  return serial(async () => {
    await chrome.storage.local.set({ stopped: false });
    const outcome = await attempt(request);
    if (!outcome.ok) await settle();
    return outcome;
  });
}

function startKeepalive() {
  clearInterval(keepalive);
  // Traffic on the socket keeps the service worker alive (Chrome 116+), and tells the relay we are here.
  keepalive = setInterval(() => send({ type: "ping" }), 20_000);
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

/** The relay went away (its process ended, or it dropped us): the worksite's next process listens at the same address. */
function onRelayClosed(ws) {
  if (link?.ws !== ws) return;
  link = null;
  clearInterval(keepalive);
  void serial(async () => {
    // A link made since (a connect page queued before us) owns the tabs now.
    if (link) return;
    await detachAll("relay closed");
    await settle();
  });
}

/**
 * After a relay closed, a service-worker restart or a browser restart: back to the worksites' relays, the last one
 * first, if paired and not stopped. Whatever answers must prove it holds the pairing (dial.js), so dialling an
 * address some other program took since gives that program nothing. Runs inside `serial`.
 */
async function resume() {
  if (link) return;
  for (const target of await targets()) {
    const outcome = await attempt({ ...target, pair: false });
    if (outcome.ok || link) return;
  }
  await settle();
}

async function stop() {
  epoch++;
  await chrome.storage.local.set({ stopped: true });
  clearTimeout(retry.timer);
  await chrome.alarms.clear(RECONNECT).catch(() => {});
  await drop(4000, "stopped by the person in the extension popup");
  await detachAll("stopped");
}

function forget(worksite) {
  return serial(async () => {
    const { pairings = {} } = await chrome.storage.local.get("pairings");
    delete pairings[worksite];
    await chrome.storage.local.set({ pairings });
    if (link?.worksite === worksite) await drop(4001, "the person forgot this worksite's pairing in the extension");
    await settle();
  });
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
chrome.runtime.onStartup.addListener(() => void serial(resume));
chrome.runtime.onInstalled.addListener(() => void serial(resume));
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RECONNECT) void serial(resume);
});
void serial(async () => {
  await releaseLeftovers();
  await resume();
});
