import { UserError } from "@worksite/core";
import { acceptProposal } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { memoryOptions, openMemoryTarget, showingPaths } from "./memory-folder.js";
import { plural } from "@worksite/core";

export default defineCommand({
  name: "memory accept",
  usage: "memory accept RUN [--memory DIR] [--json]",
  summary: "merge a run's memory proposal into the main line",
  options: memoryOptions,
  async run(args, io) {
    const run = args.positionals[0];
    if (!run)
      throw new UserError("which run's proposal?", {
        hint: "worksite memory diff lists them; then: worksite memory accept RUN",
      });
    const target = await openMemoryTarget(args, io);
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
