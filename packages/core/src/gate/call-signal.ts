/**
 * A call's abort signal, or how to make one. A call made without a signal (a script, an MCP request that
 * brought none) gets its own only when a tool reads `ctx.signal`: making one cost about 3 µs, a tenth of a
 * read call's whole overhead (issue 13 item 1).
 */
export type CallSignal = AbortSignal | (() => AbortSignal);

export function ownSignal(): () => AbortSignal {
  let signal: AbortSignal | undefined;
  return () => (signal ??= new AbortController().signal);
}

export function signalOf(signal: CallSignal): AbortSignal {
  return typeof signal === "function" ? signal() : signal;
}

/** A call's own signal never aborts: nobody holds its controller. */
export function isAborted(signal: CallSignal): boolean {
  return typeof signal !== "function" && signal.aborted;
}
