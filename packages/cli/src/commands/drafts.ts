import { listDrafts } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";
import { styler } from "../io.js";

export default defineCommand({
  name: "drafts",
  usage: "drafts [--all] [--json]",
  summary: "list drafts: calls the draft tier recorded instead of sending",
  options: {
    all: { type: "boolean", description: "also show executed and discarded drafts" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const drafts = await listDrafts(root, args.options.all ? undefined : { status: "open" });
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ drafts }, null, 2)}\n`);
      return 0;
    }
    if (!drafts.length) {
      io.stdout(args.options.all ? "no drafts yet\n" : "no open drafts (--all shows executed and discarded ones)\n");
      return 0;
    }
    const paint = styler(io.isTTY);
    for (const d of drafts) {
      const state =
        d.status === "open"
          ? paint("cyan", "open")
          : d.status === "executed"
            ? paint("green", `executed by ${d.executedBy} (${d.outcome})`)
            : paint("dim", `discarded by ${d.discardedBy}`);
      io.stdout(`${paint("bold", d.id)}  ${state}  ${d.summary}\n`);
      io.stdout(
        paint(
          "dim",
          `    ${d.tool}${d.target !== undefined ? ` ${d.target}` : ""} · round ${d.round} · ${d.created} · ${d.artifact}\n`,
        ),
      );
      if (d.status === "open")
        io.stdout(
          `    run it once: ${suggestCommand(io, root, `approve ${d.id}`)}   discard: ${suggestCommand(io, root, `deny ${d.id}`)}\n`,
        );
    }
    return 0;
  },
});
