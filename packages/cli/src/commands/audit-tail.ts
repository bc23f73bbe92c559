import { join } from "node:path";
import {
  type AuditEntry,
  globToRegExp,
  parseDuration,
  parseLine,
  readLines,
  type Tier,
  TIERS,
  UserError,
} from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { followFile } from "../follow-file.js";
import { styler } from "../io.js";
import { holdStop, stopExitCode } from "../stop-signals.js";

/** `10m`, `2h`, `1d` ago, or an ISO date. */
export function parseSince(value: string, now: Date): Date {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  const date = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(date.getTime())) return date;
  throw new UserError(`--since ${value} is neither a duration nor a date`, {
    hint: "use 10m, 2h, 1d or an ISO date such as 2024-06-01T09:00:00Z",
  });
}

export default defineCommand({
  name: "audit tail",
  usage: "audit tail [-n N] [--tool T] [--tier T] [--run R] [--since 10m|ISO] [--follow] [--json]",
  summary: "show the last audit entries, filtered by tool, tier, run and time",
  options: {
    lines: { type: "string", alias: "n", description: "how many entries to show (default 20; 0 for all)" },
    tool: { type: "string", description: "only this tool; * matches any part (browser.*)" },
    tier: { type: "string", description: `only calls decided at this tier (${TIERS.join(", ")})` },
    run: { type: "string", description: "only this run" },
    since: { type: "string", description: "only entries newer than this: 10m, 2h, 1d or an ISO date" },
    follow: {
      type: "boolean",
      alias: "f",
      description: "keep printing entries as they are appended, until Ctrl-C (a replaced log is followed anew)",
    },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const file = ".worksite/audit.jsonl";
    const count = args.options.lines === undefined ? 20 : Number(args.options.lines);
    if (!Number.isInteger(count) || count < 0)
      throw new UserError(`-n ${String(args.options.lines)} is not a number of entries`, {
        hint: "for example: -n 50",
      });
    const tier = args.options.tier as string | undefined;
    if (tier !== undefined && !TIERS.includes(tier as Tier))
      throw new UserError(`unknown tier "${tier}"`, { hint: `one of: ${TIERS.join(", ")}` });
    const tool = typeof args.options.tool === "string" ? globToRegExp(args.options.tool) : undefined; // `browser.*`: any run of characters
    const run = args.options.run as string | undefined;
    const since = typeof args.options.since === "string" ? parseSince(args.options.since, new Date()) : undefined;

    const wanted = (e: AuditEntry) =>
      !(tool && !(e.tool && tool.test(e.tool))) &&
      !(tier && tierOf(e) !== tier) &&
      !(run && e.run !== run) &&
      !(since && !(new Date(e.time) >= since));
    const selected: AuditEntry[] = [];
    const problems: string[] = [];
    // Bytes of whole lines read, so --follow starts exactly after them (a half-written last line is read again).
    let bytes = 0;
    let lines = 0;
    for await (const line of readLines(join(root, file))) {
      if (line.terminated) {
        bytes += Buffer.byteLength(line.text) + 1;
        lines = line.number;
      }
      const parsed = parseLine(line);
      if (!parsed.ok) {
        if (line.terminated || !args.options.follow) problems.push(`${file}:${line.number}: ${parsed.problem}`);
        continue;
      }
      if (wanted(parsed.entry)) selected.push(parsed.entry);
    }
    const shown = count === 0 ? selected : selected.slice(-count);
    const paint = styler(io.isTTY);
    for (const p of problems) io.stderr(`${paint("yellow", "warning:")} ${p} (run worksite audit verify)\n`);
    if (args.options.follow) {
      // One entry per line as it comes, so `--json --follow` is JSON Lines a program can read as it goes.
      const print = (e: AuditEntry) =>
        io.stdout(args.options.json ? `${JSON.stringify(e)}\n` : `${formatEntry(e, paint)}\n`);
      for (const e of shown) print(e);
      let number = lines;
      const stopFollowing = followFile(join(root, file), {
        from: bytes,
        onLine: (text) => {
          const parsed = parseLine({ number: ++number, text, terminated: true });
          if (!parsed.ok) io.stderr(`${paint("yellow", "warning:")} ${file}:${number}: ${parsed.problem}\n`);
          else if (wanted(parsed.entry)) print(parsed.entry);
        },
        onReplaced: () => {
          number = 0;
          io.stderr(paint("dim", `${file} was replaced; following the new file from its start\n`));
        },
      });
      const signal = await new Promise<Parameters<typeof stopExitCode>[0]>((resolve) => {
        const release = holdStop((s) => {
          release();
          resolve(s);
        });
      });
      stopFollowing();
      return signal === "SIGINT" ? 0 : stopExitCode(signal);
    }
    if (args.options.json) {
      io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    if (shown.length === 0) io.stdout(paint("dim", "no audit entries match\n"));
    for (let i = 0; i < shown.length; i++) {
      const e = shown[i]!;
      const next = shown[i + 1];
      // A call is a decision followed by its result: one line says both.
      if (e.type === "decision" && e.outcome === undefined && next?.type === "result" && next.callHash === e.callHash) {
        io.stdout(`${formatEntry({ ...next, seq: e.seq }, paint, next.seq)}\n`);
        i++;
      } else io.stdout(`${formatEntry(e, paint)}\n`);
    }
    return 0;
  },
});

function tierOf(e: AuditEntry): Tier | undefined {
  return e.tier ?? e.decision?.tier;
}

/** One readable line: time, seq, actor, tool, target, tier, decided by, outcome, then any message. */
export function formatEntry(e: AuditEntry, paint: ReturnType<typeof styler>, lastSeq?: number): string {
  const time = e.time.replace("T", " ").replace(/\.\d+Z$/, "Z");
  const target = e.target === undefined ? "" : e.target.length > 70 ? `${e.target.slice(0, 69)}…` : e.target;
  const outcome =
    e.outcome === undefined
      ? ""
      : e.outcome === "ok"
        ? paint("green", e.outcome)
        : e.outcome === "error" || e.outcome === "refused"
          ? paint("red", e.outcome)
          : paint("yellow", e.outcome);
  const parts = [
    paint("dim", time),
    paint("dim", lastSeq === undefined ? `#${e.seq}` : `#${e.seq}–${lastSeq}`),
    e.actor,
    e.tool ? paint("bold", e.tool) : paint("dim", e.type),
    target,
    tierOf(e) ?? "",
    e.decidedBy ? paint("dim", e.decidedBy) : "",
    outcome,
    e.durationMs !== undefined ? paint("dim", `${e.durationMs} ms`) : "",
    e.message ? paint("dim", `— ${e.message}`) : "",
  ];
  return parts.filter((p) => p !== "").join("  ");
}
