import { UserError } from "@worksite/core";
import { acceptProposal, listProposals, type MemoryStore } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { memoryOptions, openMemoryTarget, showingPaths } from "./memory-folder.js";
import { plural } from "@worksite/core";

export default defineCommand({
  name: "memory accept",
  usage: "memory accept [RUN] [--memory DIR] [--json]",
  summary: "merge a run's memory proposal into the main line (the only open one when no RUN is given)",
  options: memoryOptions,
  async run(args, io) {
    const target = await openMemoryTarget(args, io);
    // With no RUN, the only open proposal is meant (as memory diff shows every one); with several, the person picks.
    const run = args.positionals[0] ?? (await onlyProposal(target.store));
    const result = await showingPaths(io, () => acceptProposal(target.store, run));
    if (args.options.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const paint = styler(io.isTTY);
    io.stdout(`${paint("green", "accepted")} proposal of run ${run}: ${plural(result.files.length, "file")} changed\n`);
    for (const f of result.conflicted)
      io.stdout(
        `${paint("yellow", "conflicted:")} ${target.shown(f)} keeps both versions — settle it and set status: active\n`,
      );
    return 0;
  },
});

async function onlyProposal(store: MemoryStore): Promise<string> {
  const open = await listProposals(store);
  if (open.length === 1) return open[0]!.run;
  if (open.length === 0) throw new UserError("there is no open memory proposal to accept");
  throw new UserError(`${open.length} memory proposals are open: which run's?`, {
    hint: `${open.map((p) => `worksite memory accept ${p.run}`).join("\n  or ")}\n  (worksite memory diff shows what each one changes)`,
  });
}
