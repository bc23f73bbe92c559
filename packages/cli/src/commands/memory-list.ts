import { hiddenReason, scanFiles } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { memoryOptions, openMemoryTarget } from "./memory-folder.js";

export default defineCommand({
  name: "memory list",
  usage: "memory list [--memory DIR] [--json]",
  summary: "list memory entries, with those kept from agents marked and why",
  options: memoryOptions,
  async run(args, io) {
    const { store } = await openMemoryTarget(args, io);
    const day = store.now().toISOString().slice(0, 10);
    // Summaries by blob id (the parse cache): an unchanged 10,000-entry memory is not read and scanned again.
    const rows = (await scanFiles(store)).map((f) => ({
      id: f.file.replace(/\.md$/, ""),
      type: f.entry?.meta.type,
      status: f.entry?.meta.status,
      description: f.entry?.meta.description,
      hidden: hiddenReason(f, day),
    }));
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ entries: rows }, null, 2)}\n`);
      return 0;
    }
    const paint = styler(io.isTTY);
    if (!rows.length) io.stdout("memory is empty\n");
    // reduce, not Math.max(...): a folder of 200,000 entries would overflow the call stack.
    const width = rows.reduce((w, r) => Math.max(w, r.id.length), 0);
    for (const r of rows)
      io.stdout(
        `${r.id.padEnd(width)}  ${paint("dim", (r.type ?? "?").padEnd(10))} ${r.description ?? ""}${r.hidden ? paint("yellow", `  [hidden from agents: ${r.hidden}]`) : ""}\n`,
      );
    return 0;
  },
});
