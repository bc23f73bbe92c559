import { syncMemory } from "@worksite/memory";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { memoryOptions, openMemoryTarget } from "./memory-folder.js";
import { plural } from "@worksite/core";

export default defineCommand({
  name: "memory sync",
  usage: "memory sync [--remote URL] [--no-push] [--memory DIR] [--json]",
  summary:
    "pull memory from its git remote (merging entry by entry) and push; credentials come from WORKSITE_GIT_TOKEN",
  options: {
    ...memoryOptions,
    remote: { type: "string", description: "the remote's https URL (saved as origin, never with credentials)" },
    push: { type: "boolean", description: "push after pulling (default; --no-push pulls only)" },
  },
  async run(args, io) {
    const target = await openMemoryTarget(args, io);
    const given = typeof args.options.remote === "string" ? args.options.remote : target.remote;
    // THREAD.md may name a remote ("origin") instead of a URL: then the configured one is used.
    const url = given && /^https?:\/\//.test(given) ? given : undefined;
    const result = await syncMemory(target.store, {
      ...(url ? { url } : {}),
      env: io.env,
      noPush: args.options.push === false,
    });
    if (args.options.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const paint = styler(io.isTTY);
    io.stdout(
      `memory sync: ${result.outcome}, ${plural(result.pulled.length, "file")} pulled${result.pushed ? ", pushed" : ""}\n`,
    );
    // What came in and who wrote it: pulled entries reach the model as a third party's text, so a person sees them here first (issue 20).
    for (const b of result.brought)
      io.stdout(
        b.deleted
          ? `  ${paint("red", "removed")} ${target.shown(b.file)}\n`
          : `  ${paint("green", "pulled")}  ${target.shown(b.file)}${b.author ? ` — written by ${b.author}` : ""}${b.source ? ` (source: ${b.source})` : ""}\n`,
      );
    for (const f of result.conflicted)
      io.stdout(
        `${paint("yellow", "conflicted:")} ${target.shown(f)} — both versions kept; settle it and set status: active\n`,
      );
    return 0;
  },
});
