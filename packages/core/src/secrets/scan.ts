import type { SecretFinding } from "./types.js";

/** STUB — the secrets helper replaces this body. Synchronous: the audit log redacts on its hot path. */
export function scanSecrets(_text: string): SecretFinding[] {
  throw new Error("not implemented");
}

/** Replace every secret with `[REDACTED:<kind>]`. STUB. */
export function redactSecrets(_text: string): string {
  throw new Error("not implemented");
}
