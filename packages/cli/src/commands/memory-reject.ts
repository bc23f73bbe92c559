import { UserError } from "@worksite/core";
import { rejectProposal } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { memoryOptions, openMemoryTarget } from "./memory-folder.js";

export default defineCommand({
  name: "memory reject",
  usage: "memory reject RUN [--memory DIR] [--json]",
  summary: "drop a run's memory proposal; the main line is not touched",
  options: memoryOptions,
  async run(args, io) {
    const run = args.positionals[0];
    if (!run)
      throw new UserError("which run's proposal?", {
        hint: "worksite memory diff lists them; then: worksite memory reject RUN",
      });
    const target = await openMemoryTarget(args, io);
    await rejectProposal(target.store, run);
    io.stdout(args.options.json ? `${JSON.stringify({ rejected: run })}\n` : `rejected proposal of run ${run}\n`);
    return 0;
  },
});
