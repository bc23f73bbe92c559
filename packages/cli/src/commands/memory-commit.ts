import { UserError } from "@worksite/core";
import { commitHandEdits } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { memoryOptions, openMemoryTarget, showingPaths } from "./memory-folder.js";
import { plural } from "@worksite/core";

export default defineCommand({
  name: "memory commit",
  usage: "memory commit -m MESSAGE [--memory DIR] [--json]",
  summary:
    "record hand edits of memory as your commit: fills created, updated and source; refused if an entry fails the schema or holds a secret",
  options: { ...memoryOptions, message: { type: "string", alias: "m", description: "why the entries changed" } },
  async run(args, io) {
    const message = args.options.message;
    if (typeof message !== "string" || !message.trim())
      throw new UserError("a commit message is needed", { hint: 'worksite memory commit -m "why this changed"' });
    const target = await openMemoryTarget(args, io);
    const result = await showingPaths(io, () => commitHandEdits(target.store, message));
    if (args.options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else if (!result.commit) io.stdout("nothing to commit: memory has no hand edits\n");
    else {
      for (const f of result.filled ?? [])
        io.stdout(`filled in ${target.shown(f)}: the created, updated and source it did not have\n`);
      io.stdout(
        `committed ${plural(result.files.length, "file")} as ${target.store.author.name} <${target.store.author.email}> (${result.commit.slice(0, 7)})\n`,
      );
    }
    return 0;
  },
});
