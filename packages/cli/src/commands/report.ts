import { UserError } from "@worksite/core";
import { readRoundReport } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";

export default defineCommand({
  name: "report",
  usage: "report [N]",
  summary: "print round N's report from PROGRESS.md (default: the last round)",
  async run(args, io) {
    const root = findWorksite(args, io);
    const n = args.positionals[0] === undefined ? undefined : Number.parseInt(args.positionals[0], 10);
    if (n !== undefined && !Number.isInteger(n)) throw new UserError(`"${args.positionals[0]}" is not a round number`, { hint: "worksite report 2" });
    const report = await readRoundReport(root, n);
    if (!report) throw new UserError(n === undefined ? "no round has run yet" : `no report for round ${n}`, { hint: "run one with: worksite run" });
    io.stdout(args.options.json ? `${JSON.stringify({ round: n ?? null, report })}\n` : `${report.trimEnd()}\n`);
    return 0;
  },
});
