// One attempt to open a link to a worksite's relay: the socket and its handshake (protocol 3), nothing more. What to
// do with the outcome (keep the link, dial again later) is background.js's job.
import { PROTOCOL } from "./cdp-methods.js";

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

/**
 * Dials `relay` and runs the handshake. `token` is the stored pairing (undefined when not paired); `pair` asks the
 * relay for a new one (the person clicked Allow). Resolves with `{ ws, welcome }` once the relay welcomed us, or with
 * `{ refused: { code, reason } }`; a refused socket is closed before this resolves, so nothing is left open.
 */
export async function dial({ relay, worksite, token, pair }) {
  const ws = new WebSocket(relay);
  const nonce = randomHex(24);
  const pairing = pair || !token;
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
          ...(pairing ? { pair: true } : {}),
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
      if (message.type === "challenge" && !pairing && !proven) {
        // Both proofs name the address dialled: a program here that passes our hello on to the worksite's relay
        // at another address gets a proof made for that address, which we refuse (protocol.ts in the plugin).
        const expected = await sign(token, `relay:${worksite}:${nonce}:${relay}`);
        if (typeof message.proof !== "string" || message.proof !== expected) return done(unproven(ws, relay));
        proven = true;
        const proof = await sign(token, `extension:${worksite}:${message.nonce}:${relay}`);
        ws.send(JSON.stringify({ type: "answer", proof }));
        return;
      }
      if (message.type === "welcome" && !pairing && !proven) return done(unproven(ws, relay));
      if (message.type === "welcome" && pairing && typeof message.token !== "string") return done(unproven(ws, relay));
      done(message);
    };
  });
  if (answer.type !== "welcome") {
    ws.onclose = ws.onerror = ws.onmessage = null;
    ws.close();
    return { refused: { code: answer.code ?? "refused", reason: answer.reason ?? "refused" } };
  }
  return { ws, welcome: answer };
}

/** Resolves once `ws` is closed (or after `ms`): the relay has then seen our close frame and lets another link in. */
export function closed(ws, ms = 3_000) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    ws.addEventListener(
      "close",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
