import { randomBytes } from "node:crypto";
import type { WebSocket } from "ws";
import type { PairingStore } from "./pairing.js";
import { answerSchema, CLOSE, extensionProof, helloSchema, PROTOCOL_VERSION, relayProof } from "./protocol.js";

/*
 * The extension socket's first messages (protocol.ts): a hello, then either a new pairing (the person clicked
 * Allow) or the mutual HMAC challenge bound to this relay's address. Only a socket that passes is handed on.
 */

export interface HandshakeHooks {
  store: PairingStore;
  /** This relay's extension URL, as the extension dialled it: both proofs are bound to it. */
  address: string;
  /** Whether a person may pair here (the connect page's secret path), or only a paired extension may come in. */
  pairing: boolean;
  /** Whether an extension is already connected (a second one is refused). */
  busy(): boolean;
  refuse(socket: WebSocket, code: number, kind: string, reason: string): void;
  /** A second extension (or a second Chrome) on a worksite that one already serves. */
  refuseBusy(socket: WebSocket): void;
  /** The socket passed: `token` is set when the person just paired. Later messages go to `message`. */
  greeted(socket: WebSocket, token?: string): void;
  message(json: unknown): void;
  /** The extension left before the handshake ended, saying its pairing did not match this relay. */
  leftUnproven(reason: string): void;
}

const mismatch = (theirs: unknown) =>
  `protocol mismatch: the extension speaks version ${String(theirs)}, this worksite ${PROTOCOL_VERSION}; update the one that is older`;

export function extensionHandshake(socket: WebSocket, h: HandshakeHooks) {
  const { store } = h;
  let greeted = false;
  /** Set once a paired extension's hello was answered with a challenge: the nonce its answer must sign. */
  let challenged: string | undefined;
  const timer = setTimeout(() => {
    if (greeted) return;
    const missing = challenged
      ? "the extension did not answer the pairing challenge (an extension older than this worksite, or not the worksite extension)"
      : "no hello from the extension";
    h.refuse(socket, CLOSE.protocol, "protocol", missing);
  }, 10_000);
  const greet = (token?: string) => {
    clearTimeout(timer);
    greeted = true;
    h.greeted(socket, token);
  };
  const tokenRefused = (reason: string) => h.refuse(socket, CLOSE.token, "token-refused", reason);

  function hello(json: unknown) {
    const parsed = helloSchema.safeParse(json);
    if (!parsed.success) {
      const protocol = (json as { protocol?: unknown } | null)?.protocol;
      if (typeof protocol === "number" && protocol !== PROTOCOL_VERSION)
        return h.refuse(socket, CLOSE.protocol, "protocol", mismatch(protocol));
      return h.refuse(socket, CLOSE.protocol, "protocol", "the first message was not a hello");
    }
    const m = parsed.data;
    if (m.protocol !== PROTOCOL_VERSION) return h.refuse(socket, CLOSE.protocol, "protocol", mismatch(m.protocol));
    if (m.worksite !== store.worksite)
      return tokenRefused(`this relay is for worksite ${store.worksite}, not ${m.worksite}`);
    if (m.pair && !h.pairing)
      return tokenRefused(
        "pairing happens only from the connect page a worksite process prints; this address is for an extension already paired",
      );
    if (h.busy()) return h.refuseBusy(socket);
    if (m.pair) return greet(store.issue());
    const proof = store.sign(relayProof(store.worksite, m.nonce, h.address));
    if (proof === undefined)
      return tokenRefused(
        "token refused: this worksite is not paired (it was forgotten); click Allow on the connect page",
      );
    challenged = randomBytes(24).toString("base64url");
    socket.send(JSON.stringify({ type: "challenge", nonce: challenged, proof }));
  }

  function answer(json: unknown, nonce: string) {
    const parsed = answerSchema.safeParse(json);
    if (!parsed.success || !store.verifies(parsed.data.proof, extensionProof(store.worksite, nonce, h.address)))
      return tokenRefused(
        "token refused: this worksite's pairing does not match the extension's (it was forgotten or made anew)",
      );
    if (h.busy()) return h.refuseBusy(socket);
    greet();
  }

  socket.on("message", (data) => {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return h.refuse(socket, CLOSE.protocol, "protocol", "the extension sent something that is not JSON");
    }
    if (greeted) return h.message(json);
    if (challenged !== undefined) return answer(json, challenged);
    hello(json);
  });
  socket.on("close", (code, reason) => {
    clearTimeout(timer);
    // The extension left during the handshake because this relay's proof did not match its pairing.
    if (!greeted && code === CLOSE.token) h.leftUnproven(String(reason) || "token refused by the extension");
  });
}
