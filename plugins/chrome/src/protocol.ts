import { z } from "zod";

/** The relay and the extension speak this version; the connect page and the relay refuse any other. */
export const PROTOCOL_VERSION = 3;

/** The extension's id, pinned by the `key` in extension/manifest.json. */
export const EXTENSION_ID = "poidfalhldbcnhcpeagkmiagjocjmgok";

/*
 * The handshake never sends the pairing token (version 2). A worksite's relay listens at the same address for every
 * process, and the extension comes back to it by itself; whoever listens there while no relay does must learn
 * nothing and drive no tab:
 *   extension → hello { nonce: E }            (or { pair: true } after the person clicked Allow)
 *   relay     → challenge { nonce: R, proof: HMAC(token, "relay:<worksite>:E:<address>") }
 *   extension checks the proof, else leaves → answer { proof: HMAC(token, "extension:<worksite>:R:<address>") }
 *   relay checks the answer                  → welcome
 * Version 3 signs the address too (the relay's own extension URL; the one the extension dialled): a program at the
 * kept address that passes the hello on to the real relay, moved to another port, gets a proof the extension
 * refuses, and a real relay refuses the extension's answer made for another address.
 */
export const relayProof = (worksite: string, nonce: string, address: string) => `relay:${worksite}:${nonce}:${address}`;
export const extensionProof = (worksite: string, nonce: string, address: string) =>
  `extension:${worksite}:${nonce}:${address}`;

/** The first message the extension sends on its socket. */
export const helloSchema = z.object({
  type: z.literal("hello"),
  protocol: z.number(),
  worksite: z.string(),
  extension: z.string().optional(),
  nonce: z.string().min(16).max(200),
  pair: z.boolean().optional(),
});

/** The extension's answer to the relay's challenge. */
export const answerSchema = z.object({ type: z.literal("answer"), proof: z.string().min(1).max(200) });

/** Everything else the extension sends. */
export const extensionMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping") }),
  z.object({
    type: z.literal("result"),
    id: z.number(),
    result: z.unknown().optional(),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal("event"), tabId: z.number(), method: z.string(), params: z.unknown().optional() }),
  z.object({ type: z.literal("detached"), tabId: z.number(), reason: z.string().optional() }),
  z.object({ type: z.literal("tab-closed"), tabId: z.number() }),
  z.object({ type: z.literal("tab-left"), tabId: z.number() }),
]);
export type ExtensionMessage = z.infer<typeof extensionMessageSchema>;

export const sharedTabSchema = z.object({ tabId: z.number(), url: z.string(), title: z.string() });
export type SharedTab = z.infer<typeof sharedTabSchema>;

/** Close codes a refusal uses; the reason string says why in words. */
export const CLOSE = {
  protocol: 4400,
  token: 4401,
  origin: 4403,
  busy: 4409,
} as const;
