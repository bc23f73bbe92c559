import { join } from "node:path";
import { verifyAuditFile } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";

/** Exit 0 when every line of `.worksite/audit.jsonl` is intact and chained; 1 naming the first line that is not. */
export default defineCommand({
  name: "audit verify",
  usage: "audit verify [--json]",
  summary: "check the audit log's hash chain and name the first bad line (exit 1 if broken)",
  async run(args, io) {
    const root = findWorksite(args, io);
    const file = ".worksite/audit.jsonl";
    const result = await verifyAuditFile(join(root, file));
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ file, ...result })}\n`);
      return result.ok ? 0 : 1;
    }
    const paint = styler(io.isTTY);
    if (result.ok) {
      io.stdout(`${file}: ${result.entries} ${result.entries === 1 ? "entry" : "entries"}, chain intact\n`);
      return 0;
    }
    io.stdout(`${paint("red", "broken:")} ${file}:${result.line}: ${result.problem}\n`);
    io.stdout(`  the ${result.entries} ${result.entries === 1 ? "entry" : "entries"} before line ${result.line} are intact; nothing after it can be trusted\n`);
    return 1;
  },
});
