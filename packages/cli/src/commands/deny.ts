import { deny, denyRun, discardDraft, isId, UserError } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";
import { cliAudit, personActor } from "../session-for-cli.js";

export default defineCommand({
  name: "deny",
  usage: "deny ID [--reason TEXT] [--json]\n       deny --run RUN [--reason TEXT] [--json]",
  summary: "deny a waiting call (ap_…), every call a run left waiting (--run), or discard a draft (dr_…)",
  options: {
    reason: { type: "string", description: "why, for the agent and the audit log" },
    run: {
      type: "string",
      description: "deny every call this run left waiting (the run id `worksite approvals` shows)",
    },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const id = args.positionals[0];
    if (typeof args.options.run === "string") {
      if (id)
        throw new UserError("give an id or --run, not both", {
          hint: `${suggestCommand(io, root, `deny --run ${args.options.run}`)}`,
        });
      const reason = typeof args.options.reason === "string" ? args.options.reason : undefined;
      const denied = await denyRun(root, args.options.run, {
        by: personActor(io),
        ...(reason ? { reason } : {}),
        audit: cliAudit(root),
      });
      if (args.options.json) io.stdout(`${JSON.stringify({ denied }, null, 2)}\n`);
      else if (!denied.length) io.stdout(`nothing from ${args.options.run} waits for a person\n`);
      else
        io.stdout(
          `denied ${denied.length} ${denied.length === 1 ? "call" : "calls"} of ${args.options.run}: ${denied.map((d) => d.id).join(", ")}\n`,
        );
      return 0;
    }
    if (!id)
      throw new UserError("which one?", {
        hint: `see what is waiting with: ${suggestCommand(io, root, "approvals")}, or ${suggestCommand(io, root, "drafts")}`,
      });
    const by = personActor(io);
    const reason = typeof args.options.reason === "string" ? args.options.reason : undefined;
    const audit = cliAudit(root);
    if (isId(id, "dr")) {
      const draft = await discardDraft(root, id, { by, ...(reason ? { reason } : {}), audit });
      if (!draft)
        throw new UserError(`no open draft ${id}`, { hint: `see them with: ${suggestCommand(io, root, "drafts")}` });
      if (args.options.json) io.stdout(`${JSON.stringify({ draft }, null, 2)}\n`);
      else io.stdout(`discarded ${id}: ${draft.summary}\n`);
      return 0;
    }
    const approval = await deny(root, id, { by, ...(reason ? { reason } : {}), audit });
    if (args.options.json) io.stdout(`${JSON.stringify({ approval }, null, 2)}\n`);
    else
      io.stdout(
        `denied ${id}: ${approval.tool}${approval.target !== undefined ? ` ${approval.target}` : ""} will not run${reason ? ` (${reason})` : ""}\n`,
      );
    return 0;
  },
});
