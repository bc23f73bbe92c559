import { UserError } from "@worksite/core";
import { loadWorksite } from "@worksite/core";
import { currentStanding, readRoundReport, readState, renderFor, reportedRounds } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "report",
  usage: "report [N] [--standing]",
  summary: "print round N's report from PROGRESS.md (default: the last round), or the thread's standing state",
  options: {
    standing: {
      type: "boolean",
      description: "the standing state as of now: decisions, open problems, what the next wake checks, stop conditions",
    },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    if (args.options.standing) {
      const worksite = await loadWorksite(root);
      const state = await readState(root);
      const standing = await currentStanding(root, worksite, state);
      io.stdout(
        args.options.json
          ? `${JSON.stringify(standing, null, 2)}\n`
          : `${(await renderFor(root, standing)).trimEnd()}\n`,
      );
      return 0;
    }
    const n = args.positionals[0] === undefined ? undefined : Number.parseInt(args.positionals[0], 10);
    if (n !== undefined && !Number.isInteger(n))
      throw new UserError(`"${args.positionals[0]}" is not a round number`, { hint: "worksite report 2" });
    const report = await readRoundReport(root, n);
    if (!report) {
      const rounds = await reportedRounds(root);
      if (!rounds.length)
        throw new UserError(
          n === undefined ? "no round has run yet" : `no report for round ${n}: no round has run yet`,
          { hint: `run one with: ${suggestCommand(io, root, "run")}` },
        );
      throw new UserError(`no report for round ${n}`, {
        hint: `rounds with a report: ${listRounds(rounds)} (e.g. ${suggestCommand(io, root, `report ${rounds.at(-1)}`)})`,
      });
    }
    io.stdout(args.options.json ? `${JSON.stringify({ round: n ?? null, report })}\n` : `${report.trimEnd()}\n`);
    return 0;
  },
});

/** 1, 2, 3, 7 → "1–3, 7": a long thread's rounds in one short line. */
function listRounds(rounds: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < rounds.length; ) {
    let j = i;
    while (j + 1 < rounds.length && rounds[j + 1] === rounds[j]! + 1) j++;
    ranges.push(j > i ? `${rounds[i]}–${rounds[j]}` : `${rounds[i]}`);
    i = j + 1;
  }
  return ranges.join(", ");
}
