import { UserError } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { openCliSession, parseSeconds, personActor } from "../session-for-cli.js";
import { styler } from "../io.js";
import type { CommandIO } from "../io.js";
import type { ParsedArgv } from "../argv.js";
import { suggestCommand } from "../suggest.js";
import { printOutcome } from "./call-output.js";

export default defineCommand({
  name: "call",
  usage: `call TOOL 'JSON-INPUT' [--actor NAME] [--wait SECONDS] [--json]
       call --list [--json]

Makes one tool call through the gate, as a person or a script would: the
policy decides, the audit log records it, and it runs, is refused, becomes a
draft, or waits for approval.

Exit codes:
  0  the call ran (or became a draft: nothing was sent)
  1  refused, failed, or stopped; a command that ran and exited non-zero
     is a failure (its output is still printed)
  3  waiting for a person: run \`worksite approve ID\`, then call again
     (or pass --wait to keep waiting here)`,
  summary: "make one tool call through the permission gate",
  options: {
    actor: { type: "string", description: "who is calling, for the audit log (default: person:<your user name>)" },
    wait: {
      type: "string",
      description: "seconds to wait for a person's approval of a confirm-tier call (default 0: return at once)",
    },
    list: {
      type: "boolean",
      description: "list the tools a call can name here (core tools, memory, skills and THREAD.md's plugins)",
    },
  },
  async run(args, io) {
    if (args.options.list) return listTools(args, io);
    const [tool, rawInput, ...extra] = args.positionals;
    if (!tool) throw new UserError("which tool?", { hint: `worksite call file.read '{"path":"README.md"}'` });
    if (extra.length)
      throw new UserError(`unexpected ${extra.map((e) => JSON.stringify(e)).join(" ")}`, {
        hint: "quote the JSON input as one argument: 'JSON'",
      });
    let input: unknown = {};
    if (rawInput !== undefined) {
      try {
        input = JSON.parse(rawInput);
      } catch (error) {
        throw new UserError(`the input is not JSON: ${(error as Error).message}`, {
          hint: `worksite call ${tool} '{"key":"value"}'`,
        });
      }
    }
    const actor = typeof args.options.actor === "string" ? args.options.actor : personActor(io);
    const waitForApprovalMs = typeof args.options.wait === "string" ? parseSeconds(args.options.wait, "--wait") : 0;
    const root = findWorksite(args, io);
    const session = await openCliSession(root, { actor });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    try {
      if (waitForApprovalMs) io.stderr(`(waiting up to ${waitForApprovalMs / 1000} s for approval if needed)\n`);
      const outcome = await session.gate.call({ tool, input, actor, signal: controller.signal, waitForApprovalMs });
      const code = printOutcome(outcome, io, Boolean(args.options.json), root);
      if (!args.options.json && outcome.status === "error" && outcome.message.startsWith("unknown tool"))
        io.stderr(`  hint: ${suggestCommand(io, root, "call --list")} lists every tool\n`);
      return code;
    } finally {
      process.off("SIGINT", stop);
      await session.dispose();
    }
  },
});

async function listTools(args: ParsedArgv, io: CommandIO): Promise<number> {
  const root = findWorksite(args, io);
  const session = await openCliSession(root, { actor: personActor(io) });
  try {
    const tools = session.gate.tools().sort((a, b) => a.id.localeCompare(b.id));
    if (args.options.json) {
      io.stdout(
        `${JSON.stringify({ tools: tools.map((t) => ({ id: t.id, plugin: t.plugin, effect: t.effect, description: t.description })) }, null, 2)}\n`,
      );
      return 0;
    }
    const paint = styler(io.isTTY);
    const width = tools.reduce((w, t) => Math.max(w, t.id.length), 0);
    for (const t of tools)
      io.stdout(`${t.id.padEnd(width)}  ${paint("dim", t.effect.padEnd(8))}  ${t.description.split("\n")[0]}\n`);
    return 0;
  } finally {
    await session.dispose();
  }
}
