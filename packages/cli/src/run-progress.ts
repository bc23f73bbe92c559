import type { RunEvent } from "@worksite/runtime";
import type { CommandIO, styler } from "./io.js";

type Paint = ReturnType<typeof styler>;

/** A step longer than this shows how long it took; a plain (non-terminal) output says it is still running this often. */
const LONG_MS = 1000;
const PLAIN_REMINDER_MS = 30_000;

export interface RunProgressOptions {
  io: CommandIO;
  paint: Paint;
  /** Formats an event that is not a call's start (the line printed when a step ends, a round starts, …). */
  describe: (event: RunEvent) => string;
  /** Ticking redraws only on a terminal; piped or logged output gets plain lines. */
  live: boolean;
}

export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/**
 * Prints each step of a run when it starts and its outcome when it ends. On a terminal the started step is
 * one line that ticks its elapsed time and is replaced by the outcome; elsewhere the start is its own line,
 * a long step says every 30 s that it is still running, and the outcome line carries the time it took.
 */
export function createRunProgress(options: RunProgressOptions) {
  const { io, paint, describe, live } = options;
  let running: { tool: string; detail: string; since: number; timer: NodeJS.Timeout } | undefined;

  const startLine = (tool: string, detail: string, elapsed?: number) =>
    `  ${paint("cyan", "…".padEnd(16))} ${tool}  ${paint("dim", detail)}${elapsed !== undefined ? paint("dim", `  (${formatElapsed(elapsed)})`) : ""}`;

  const stop = () => {
    if (!running) return;
    clearInterval(running.timer);
    // Erase the ticking line: the outcome takes its place.
    if (live) io.stdout("\r\u001b[2K");
    running = undefined;
  };

  return {
    onEvent(event: RunEvent): void {
      if (event.type === "call-start") {
        stop();
        const since = Date.now();
        const detail = event.detail;
        const timer = live
          ? setInterval(() => io.stdout(`\r\u001b[2K${startLine(event.tool, detail, Date.now() - since)}`), LONG_MS)
          : setInterval(
              () => io.stdout(`${startLine(event.tool, detail, Date.now() - since)} still running\n`),
              PLAIN_REMINDER_MS,
            );
        timer.unref();
        running = { tool: event.tool, detail, since, timer };
        io.stdout(live ? startLine(event.tool, detail) : `${startLine(event.tool, detail)}\n`);
        return;
      }
      stop();
      const line = describe(event);
      const took = event.type === "call" && event.ms !== undefined && event.ms >= LONG_MS;
      io.stdout(`${line}${took ? paint("dim", `  (${formatElapsed(event.ms!)})`) : ""}\n`);
    },
    /** The run ended (or was stopped): no line keeps ticking. */
    close: stop,
  };
}
