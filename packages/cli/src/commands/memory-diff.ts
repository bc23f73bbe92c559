import { diffProposal, listProposals } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { memoryOptions, openMemoryTarget } from "./memory-folder.js";

export default defineCommand({
  name: "memory diff",
  usage: "memory diff [RUN] [--memory DIR] [--json]",
  summary: "show what a run proposed to change in memory (every open proposal when no RUN is given)",
  options: memoryOptions,
  async run(args, io) {
    const { store } = await openMemoryTarget(args, io);
    const run = args.positionals[0];
    const runs = run ? [run] : (await listProposals(store)).map((p) => p.run);
    const diffs = [];
    for (const r of runs) diffs.push({ run: r, diff: await diffProposal(store, r) });
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ proposals: diffs }, null, 2)}\n`);
      return 0;
    }
    const paint = styler(io.isTTY);
    if (!diffs.length) io.stdout("no open memory proposals\n");
    for (const d of diffs) {
      if (!run)
        io.stdout(
          `${paint("bold", `# proposal of run ${d.run}`)} — worksite memory accept ${d.run} | reject ${d.run}\n`,
        );
      for (const line of d.diff.split("\n").slice(0, -1))
        io.stdout(
          `${line.startsWith("+") && !line.startsWith("+++") ? paint("green", line) : line.startsWith("-") && !line.startsWith("---") ? paint("red", line) : line}\n`,
        );
    }
    return 0;
  },
});
