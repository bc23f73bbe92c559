/**
 * How the `worksite` process stops (issue 21 item 1). SIGINT, SIGTERM and SIGHUP all do what
 * Ctrl-C does: a command that can stop cleanly (a run) is told, finishes what it must (the
 * running tool aborted, the round marked interrupted, the lock released) and exits 130, 143 or
 * 129; any other command exits with that code at once. A second signal, or a stop that takes
 * too long, exits at once, after ending what the run started (it carries the run's mark). No
 * signal at any moment prints a stack trace: an error that surfaces while stopping is one line.
 */

export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** A stop that takes longer than this ends at once: a hung browser must not keep a stopped run alive. */
const STOP_DEADLINE_MS = 20_000;

let listener: ((signal: StopSignal) => void) | undefined;
let received: StopSignal | undefined;
let installed = false;
/** The run's mark when the stop came: the run clears it from the environment when it ends. */
let markAtStop: string | undefined;

/** The signal that asked this process to stop, if one did. */
export function stopReceived(): StopSignal | undefined {
  return received;
}

/** The exit code for a stop by `signal` (128 + its number). */
export function stopExitCode(signal: StopSignal): number {
  return STOP_SIGNALS[signal];
}

/**
 * While held, a stop signal calls `onStop` instead of exiting. Returns the release. When no
 * process-wide handlers are installed (a command run in-process by a test), it still listens,
 * so the command behaves the same.
 */
export function holdStop(onStop: (signal: StopSignal) => void): () => void {
  listener = onStop;
  if (received) queueMicrotask(() => onStop(received!));
  const own = installed ? [] : (Object.keys(STOP_SIGNALS) as StopSignal[]).map((s) => [s, () => onStop(s)] as const);
  for (const [s, f] of own) process.once(s, f);
  return () => {
    if (listener === onStop) listener = undefined;
    for (const [s, f] of own) process.off(s, f);
  };
}

/** For bin.ts: installed first, before the rest of the CLI loads. */
export function installStopSignals(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(signal, () => onSignal(signal));
  process.on("unhandledRejection", (reason) => {
    if (received) return quietly(reason);
    throw reason; // not stopping: a bug, and it keeps its stack
  });
  process.on("uncaughtException", (error) => {
    if (received) return quietly(error);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

function onSignal(signal: StopSignal): void {
  // Another part of the CLI handles this signal itself (`worksite mcp` closes its server on SIGINT).
  if (!listener && process.listenerCount(signal) > 1) return;
  if (received) return void exitNow(STOP_SIGNALS[received]);
  received = signal;
  markAtStop = process.env.WORKSITE_RUN_MARK;
  if (!listener) return void exitNow(STOP_SIGNALS[signal]);
  listener(signal);
  setTimeout(() => void exitNow(STOP_SIGNALS[signal]), STOP_DEADLINE_MS).unref();
}

/** One line, no stack: a rejected navigation or a closed pipe while stopping is the stop, not a fault. */
function quietly(reason: unknown): void {
  const message = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(`worksite: while stopping: ${message.split("\n")[0]}\n`);
}

/**
 * For bin.ts once a stopped command has returned: exits even if a plugin left a handle open, after
 * a last sweep for the run's mark (a browser whose launch finished after the run's own sweep).
 */
export async function exitNow(code: number): Promise<void> {
  const mark = process.env.WORKSITE_RUN_MARK ?? markAtStop;
  if (mark) {
    try {
      const { killMarkedNow } = await import("@worksite/runtime");
      killMarkedNow(mark);
    } catch {
      // the next run's start ends them (its sweep of dead runs)
    }
  }
  process.exit(code);
}
