import { listWakeRecords, markRead, type WakeRecord } from "@worksite/automations";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";

export default defineCommand({
  name: "inbox",
  usage: `inbox [--all] [--read] [--json]

Each wake of this thread (\`worksite wake\`) leaves one result: done, continued,
waiting for a person, failed, skipped (with why), interrupted, or nothing to
report (archived at once). Lists the unread ones, oldest first.`,
  summary: "list the results wakes left: outcome, one-line summary, links to the report and artifacts",
  options: {
    all: { type: "boolean", description: "also list results already read and archived ones" },
    read: { type: "boolean", description: "mark the listed results read" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const paint = styler(io.isTTY);
    const all = await listWakeRecords(root);
    const shown = args.options.all ? all : all.filter((r) => !r.read && !r.archived);
    if (args.options.read)
      await markRead(
        root,
        shown.map((r) => r.id),
      );
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ results: shown, archived: all.filter((r) => r.archived).length }, null, 2)}\n`);
      return 0;
    }
    if (!shown.length) {
      const archived = all.filter((r) => r.archived && !r.read).length;
      io.stdout(
        `no unread wake results${archived ? ` (${archived} with nothing to report archived; --all shows them)` : ""}\n`,
      );
      return 0;
    }
    for (const r of shown) io.stdout(`${line(r, paint)}\n`);
    if (!args.options.read) io.stdout(paint("dim", "mark them read: worksite inbox --read\n"));
    return 0;
  },
});

const colours: Record<WakeRecord["outcome"], Parameters<ReturnType<typeof styler>>[0]> = {
  done: "green",
  continued: "cyan",
  "waiting for a person": "yellow",
  failed: "red",
  skipped: "dim",
  "nothing to report": "dim",
  interrupted: "yellow",
};

function line(r: WakeRecord, paint: ReturnType<typeof styler>): string {
  const head = `${paint("dim", r.scheduledFor)}  ${paint(colours[r.outcome], r.outcome.padEnd(20))} ${r.summary}`;
  const extra = [
    r.round !== undefined ? `round ${r.round}` : undefined,
    r.missed ? `catch-up for ${r.missed} missed wakes` : undefined,
    r.incident ? paint("red", `incident: ${r.incident}`) : undefined,
    r.links.length ? r.links.join(" ") : undefined,
  ].filter(Boolean);
  return extra.length ? `${head}\n    ${paint("dim", extra.join(" · "))}` : head;
}
