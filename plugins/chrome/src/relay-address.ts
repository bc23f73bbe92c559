import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PairingStore, RelayAddress } from "./pairing.js";
import { processIsAlive } from "@worksite/core";

/*
 * Where a worksite's relay listens. Every process of the worksite takes the kept port (in the person's state
 * folder), so the paired extension, which keeps dialling it, finds a later process with no person around (a
 * scheduled wake). A taken port means a new one, said out loud; the extension learns it from the connect page, and
 * it is kept once the extension has connected there.
 */

export interface Bound {
  port: number;
  /** The address kept for the worksite now (this one, unless the kept one was taken). */
  kept: RelayAddress | undefined;
  /** Who holds the kept port, when it was taken. */
  collision?: string;
}

export async function listenAtKeptAddress(http: Server, store: PairingStore): Promise<Bound> {
  let kept = store.readAddress();
  if (kept) {
    try {
      return { port: await listen(http, kept.port), kept };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      return { port: await listen(http, 0), kept, collision: holder(kept.port, store) };
    }
  }
  const port = await listen(http, 0);
  // The first port a worksite gets is kept at once, so `worksite chrome connect` pairs the extension with it.
  try {
    store.keepAddress({ port });
    kept = { port };
  } catch {
    // Kept when the extension first connects instead.
  }
  return { port, kept };
}

function listen(http: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    http.once("error", failed);
    http.listen(port, "127.0.0.1", () => {
      http.off("error", failed);
      resolve((http.address() as AddressInfo).port);
    });
  });
}

/** Who holds the kept port, as far as this worksite can tell: another of its own processes, or some other program. */
function holder(port: number, store: PairingStore): string {
  const status = store.readStatus();
  const ours =
    status !== undefined && status.pid !== process.pid && status.state !== "closed" && processIsAlive(status.pid);
  return ours
    ? `this worksite's relay address 127.0.0.1:${port} is in use by another process of this worksite (pid ${status.pid})`
    : `this worksite's relay address 127.0.0.1:${port} is taken by another program (no process of this worksite holds it)`;
}
