import { existsSync } from "node:fs";
import { join } from "node:path";
import { verifyAuditFile } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";
import { plural } from "@worksite/core";

/**
 * Exit 0 when every line of `.worksite/audit.jsonl` is intact and chained; 1 naming the first line that is not.
 * A log with entries but no `audit.jsonl.head` passes with a warning: its end cannot be checked.
 */
export default defineCommand({
  name: "audit verify",
  usage: "audit verify [--json]",
  summary: "check the audit log's hash chain and name the first bad line (exit 1 if broken)",
  async run(args, io) {
    const root = findWorksite(args, io);
    const file = ".worksite/audit.jsonl";
    const result = await verifyAuditFile(join(root, file));
    // Without the head, an intact chain may still be a cut-back one: say so rather than vouch for the end.
    const anchored = result.entries === 0 || existsSync(join(root, `${file}.head`));
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ file, ...result, ...(result.ok ? { anchored } : {}) })}\n`);
      return result.ok ? 0 : 1;
    }
    const paint = styler(io.isTTY);
    if (result.ok) {
      io.stdout(`${file}: ${plural(result.entries, "entry")}, chain intact\n`);
      if (result.torn)
        io.stderr(
          `${paint("yellow", "warning:")} ${file}:${result.torn.line}: the last line (${plural(result.torn.bytes, "byte")}) has no newline: a write cut off by a kill or a full disk, not an entry. The next entry written removes it and records what it held\n`,
        );
      if (!anchored)
        io.stderr(
          `${paint("yellow", "warning:")} no tail anchor (audit.jsonl.head): whether lines were removed from the end cannot be checked\n`,
        );
      return 0;
    }
    io.stdout(`${paint("red", "broken:")} ${file}:${result.line}: ${result.problem}\n`);
    const intact =
      result.entries === 0
        ? "no entry before it is intact"
        : result.entries === 1
          ? "the 1 entry before it is intact"
          : `the ${result.entries} entries before it are intact`;
    io.stdout(`  ${intact}; nothing from line ${result.line} on can be trusted\n`);
    return 1;
  },
});
