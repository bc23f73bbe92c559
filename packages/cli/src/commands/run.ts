import { UserError } from "@worksite/core";
import { agentToolEndpoint } from "@worksite/mcp";
import { runThread, type RunEvent } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";
import { createRunProgress } from "../run-progress.js";
import { holdStop, type StopSignal, stopExitCode } from "../stop-signals.js";
import { suggestCommand } from "../suggest.js";
import { panelLinks } from "./panel.js";

export default defineCommand({
  name: "run",
  usage: "run [--rounds N] [--agent script|openai|command] [--json]",
  summary:
    "run the thread round by round until the goal's stop conditions say stop (exit 0 done, 3 waiting for a person, 4 paused; 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP)",
  options: {
    rounds: { type: "string", alias: "n", description: "run at most N rounds now" },
    agent: { type: "string", description: "override THREAD.md's agent: script, openai or command" },
    event: { type: "string", description: "why this run starts, for skill triggers: schedule, pr-comment, …" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const paint = styler(io.isTTY);
    const rounds = typeof args.options.rounds === "string" ? Number.parseInt(args.options.rounds, 10) : undefined;
    const json = args.options.json === true;
    const controller = new AbortController();
    let stoppedBy: StopSignal | undefined;
    // SIGINT, SIGTERM and SIGHUP alike: the running tool is aborted, the round marked interrupted, the lock released.
    const release = holdStop((signal) => {
      stoppedBy ??= signal;
      controller.abort();
    });
    const events: RunEvent[] = [];
    // On a terminal a long message is cut to its width; piped or logged, every character is kept.
    // (io.isTTY is false on a terminal with NO_COLOR: that still cuts. A test's captured io never does.)
    const width = process.stdout.isTTY && (io.isTTY || Boolean(io.env.NO_COLOR)) ? process.stdout.columns : null;
    const progress = createRunProgress({
      io,
      paint,
      live: io.isTTY,
      describe: (e) => describeRunEvent(e, paint, width),
    });
    try {
      if (!json) for (const line of await panelLinks(root)) io.stdout(`${line}\n`);
      const result = await runThread({
        root,
        ...(rounds !== undefined && Number.isFinite(rounds) ? { rounds } : {}),
        ...(typeof args.options.agent === "string" ? { agent: args.options.agent } : {}),
        ...(typeof args.options.event === "string" ? { event: args.options.event } : {}),
        signal: controller.signal,
        env: io.env,
        // A command agent runs sandboxed and reaches the tools through this loopback endpoint, served out here.
        toolEndpoint: agentToolEndpoint,
        onEvent: (e) => {
          if (e.type !== "call-start") events.push(e);
          if (!json) progress.onEvent(e);
        },
      });
      progress.close();
      if (json) io.stdout(`${JSON.stringify({ ...result, events }, null, 2)}\n`);
      else
        io.stdout(
          `\n${paint("bold", result.reason)}\n${queuedNote(result.queued ?? [], io, root, paint)}See PROGRESS.md, or: ${["report", "status", "approvals"].map((c) => suggestCommand(io, root, c)).join(" · ")}\n`,
        );
      if (controller.signal.aborted) return stopExitCode(stoppedBy ?? "SIGINT"); // interrupted: the round is redone by the next run
      return result.state === "done" ? 0 : result.state === "waiting" ? 3 : result.state === "active" ? 0 : 4;
    } catch (error) {
      // Whatever a stop breaks on its way out (a navigation aborted mid-flight) is the stop, in one line.
      if (!controller.signal.aborted || UserError.isUserError(error)) throw error;
      io.stderr(`stopped: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}\n`);
      return stopExitCode(stoppedBy ?? "SIGINT");
    } finally {
      progress.close();
      release();
    }
  },
});

/**
 * One line per run event. `width`: the terminal's columns, to cut a long message to one screen line;
 * null never cuts; left out, it is the terminal's width when stdout is one.
 */
export function describeRunEvent(
  e: RunEvent,
  paint: ReturnType<typeof styler>,
  width: number | null = process.stdout.isTTY ? process.stdout.columns : null,
): string {
  switch (e.type) {
    case "round-start":
      return paint("bold", `Round ${e.round}${e.instruction ? ` — instruction: ${e.instruction}` : ""}`);
    case "call": {
      // The tool ran, but the command it ran failed: that is not "ok" to a person reading along.
      const failedCommand = e.status === "ok" && e.exitCode !== undefined;
      const label = failedCommand ? `exit ${e.exitCode}` : e.status;
      const message = failedCommand ? e.message.replace(/^exit -?\d+: /, "") : e.message;
      const colour = failedCommand
        ? "yellow"
        : e.status === "ok"
          ? "green"
          : e.status === "refused" || e.status === "error"
            ? "red"
            : "yellow";
      const prefix = `  ${label.padEnd(16)} ${e.tool}  `;
      return `  ${paint(colour, label.padEnd(16))} ${e.tool}  ${paint("dim", cut(message, width === null ? undefined : width - prefix.length))}`;
    }
    case "call-start":
      return `  ${paint("cyan", "…".padEnd(16))} ${e.tool}  ${paint("dim", e.detail)}`;
    case "steered":
      return `  ${paint("cyan", "steered")} ${e.text}`;
    case "verified":
      if (e.passed) return `  ${paint("green", "verification passed")}`;
      // A check waiting for approval has not failed: it runs once a person approves it.
      if (!e.failed && e.waiting) return `  ${paint("yellow", "verification waits for a person's approval")}`;
      return `  ${paint("red", "verification failed")}${e.waiting ? paint("yellow", "; a check waits for a person's approval") : ""}`;
    case "round-end":
      return `  → ${e.reason}`;
  }
}

/** What the person queued and this run did not get to: said plainly, never hidden behind "done". */
function queuedNote(
  queued: string[],
  io: Parameters<typeof suggestCommand>[0],
  root: string,
  paint: ReturnType<typeof styler>,
): string {
  if (!queued.length) return "";
  const list = queued.map((t, i) => `  ${i + 1}. ${t}`).join("\n");
  return `${paint("yellow", `Still queued (${queued.length}), not run yet:`)}\n${list}\nThe next \`${suggestCommand(io, root, "run")}\` takes them in this order.\n`;
}

/** Cut to `room` characters (at least a few), marking the cut; undefined: keep it whole. */
function cut(text: string, room: number | undefined): string {
  if (room === undefined || text.length <= room) return text;
  const keep = Math.max(room - 1, 10);
  return text.length <= keep + 1 ? text : `${text.slice(0, keep)}…`;
}
