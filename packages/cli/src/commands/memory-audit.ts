import { auditMemory, formatFinding } from "@worksite/memory";
import { UserError } from "@worksite/core";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { plural } from "@worksite/core";
import { memoryOptions, openMemoryTarget } from "./memory-folder.js";

export default defineCommand({
  name: "memory audit",
  usage: "memory audit [--memory DIR] [--stale-days N] [--json]",
  summary:
    "check memory for schema errors, secrets, conflicts, stale and uncommitted entries (exit 1 on blocking findings)",
  options: {
    ...memoryOptions,
    "stale-days": { type: "string", description: "report entries not updated for this many days (default 365)" },
  },
  async run(args, io) {
    const target = await openMemoryTarget(args, io);
    const staleArg = args.options["stale-days"];
    const staleDays = typeof staleArg === "string" ? Number(staleArg) : undefined;
    if (staleDays !== undefined && !(staleDays > 0))
      throw new UserError(`--stale-days needs a positive number, not "${staleArg}"`);
    const report = await auditMemory(target.store, { actor: "person:cli", ...(staleDays ? { staleDays } : {}) });
    if (args.options.json) {
      io.stdout(
        `${JSON.stringify({ ...report, findings: report.findings.map((f) => ({ ...f, path: target.shown(f.file) })) }, null, 2)}\n`,
      );
      return report.blocking ? 1 : 0;
    }
    const paint = styler(io.isTTY);
    for (const f of report.findings)
      (f.severity === "block" ? io.stderr : io.stdout)(`${formatFinding(f, target.shown)}\n`);
    const blocks = report.findings.filter((f) => f.severity === "block").length;
    const warns = report.findings.length - blocks;
    const summary = `${plural(report.entries, "entry")}, ${blocks} blocking, ${plural(warns, "warning")}`;
    io.stdout(`${blocks ? paint("red", "memory audit failed:") : paint("green", "memory audit passed:")} ${summary}\n`);
    return report.blocking ? 1 : 0;
  },
});
