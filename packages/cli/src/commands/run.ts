import { runThread, type RunEvent } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";

export default defineCommand({
  name: "run",
  usage: "run [--rounds N] [--agent script|openai|command] [--json]",
  summary: "run the thread round by round until the goal's stop conditions say stop (exit 0 done, 3 waiting for a person, 4 paused)",
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
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    const events: RunEvent[] = [];
    try {
      const result = await runThread({
        root,
        ...(rounds !== undefined && Number.isFinite(rounds) ? { rounds } : {}),
        ...(typeof args.options.agent === "string" ? { agent: args.options.agent } : {}),
        ...(typeof args.options.event === "string" ? { event: args.options.event } : {}),
        signal: controller.signal,
        env: io.env,
        onEvent: (e) => {
          events.push(e);
          if (!json) io.stdout(`${describeRunEvent(e, paint)}\n`);
        },
      });
      if (json) io.stdout(`${JSON.stringify({ ...result, events }, null, 2)}\n`);
      else io.stdout(`\n${paint("bold", result.reason)}\nSee PROGRESS.md, or: worksite report · worksite status · worksite approvals\n`);
      if (controller.signal.aborted) return 130; // interrupted: the round is redone by the next run
      return result.state === "done" ? 0 : result.state === "waiting" ? 3 : result.state === "active" ? 0 : 4;
    } finally {
      process.off("SIGINT", stop);
    }
  },
});

export function describeRunEvent(e: RunEvent, paint: ReturnType<typeof styler>): string {
  switch (e.type) {
    case "round-start":
      return paint("bold", `Round ${e.round}${e.instruction ? ` — instruction: ${e.instruction}` : ""}`);
    case "call": {
      const colour = e.status === "ok" ? "green" : e.status === "refused" || e.status === "error" ? "red" : "yellow";
      return `  ${paint(colour, e.status.padEnd(16))} ${e.tool}  ${paint("dim", e.message.slice(0, 100))}`;
    }
    case "steered":
      return `  ${paint("cyan", "steered")} ${e.text}`;
    case "verified":
      return `  ${paint(e.passed ? "green" : "red", e.passed ? "verification passed" : "verification failed")}`;
    case "round-end":
      return `  → ${e.reason}`;
  }
}
