import { approve, isId, readApproval, UserError } from "@worksite/core";
import { applyPromotion, PROMOTE_TOOL } from "@worksite/automations";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";
import { cliAudit, openCliSession, parseDuration, personActor } from "../session-for-cli.js";
import { suggestCommand } from "../suggest.js";
import { printOutcome } from "./call-output.js";

export default defineCommand({
  name: "approve",
  usage: `approve ID [--for-thread] [--expires 10m] [--json]

ID is an approval (ap_…) from \`worksite approvals\` or a draft (dr_…) from
\`worksite drafts\`. Approving a call lets exactly that call (same tool, input
and target) run once: the next identical call runs it (a run takes it at the
start of its next round; a \`worksite call … --wait\` that is still waiting runs
it now). Approving a draft runs it once, here, as your call.
Exit codes for a draft: 0 ran, 1 refused or failed.`,
  summary: "approve a waiting call (ap_…) or run a draft (dr_…) once",
  options: {
    "for-thread": {
      type: "boolean",
      description: "also let this tool reach this exact target again in this thread, with any input (revocable)",
    },
    expires: { type: "string", description: "the approval lapses if unused after this long: 30s, 10m, 2h, 1d" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const id = args.positionals[0];
    if (!id)
      throw new UserError("which one?", {
        hint: `see what is waiting with: ${suggestCommand(io, root, "approvals")}, or ${suggestCommand(io, root, "drafts")}`,
      });
    const by = personActor(io);
    const paint = styler(io.isTTY);

    if (isId(id, "dr")) {
      if (args.options["for-thread"] || args.options.expires)
        throw new UserError("--for-thread and --expires apply to approvals, not drafts");
      const session = await openCliSession(root, { actor: by });
      try {
        return printOutcome(await session.gate.runDraft(id, { by }), io, Boolean(args.options.json), root);
      } finally {
        await session.dispose();
      }
    }

    if (!isId(id, "ap") || !(await readApproval(root, id)))
      throw new UserError(`no approval request ${id}`, {
        hint: `see what is waiting with: ${suggestCommand(io, root, "approvals")}`,
      });
    const expiresInMs =
      typeof args.options.expires === "string" ? parseDuration(args.options.expires, "--expires") : undefined;
    const { approval, grant } = await approve(root, id, {
      by,
      ...(expiresInMs ? { expiresInMs } : {}),
      forThread: Boolean(args.options["for-thread"]),
      audit: cliAudit(root),
    });
    // A stage promotion the scheduler proposed: the person's approval rewrites THREAD.md's stage: now (issue 16).
    const promoted =
      approval.tool === PROMOTE_TOOL ? await applyPromotion(root, id, { by, audit: cliAudit(root) }) : undefined;
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ approval, grant: grant ?? null, ...(promoted ? { promoted } : {}) }, null, 2)}\n`);
      return 0;
    }
    if (promoted) {
      io.stdout(
        `${paint("green", "promoted")} ${id}: THREAD.md now says stage: ${promoted.to} (was ${promoted.from})\n`,
      );
      return 0;
    }
    io.stdout(
      `${paint("green", "approved")} ${id}: ${approval.tool}${approval.target !== undefined ? ` ${approval.target}` : ""}\n`,
    );
    io.stdout(paint("dim", `  input ${JSON.stringify(approval.input)}\n`));
    io.stdout(
      `  the next identical call runs it once${approval.expires ? `, if it comes before ${approval.expires}` : ""} (a run takes it at the start of its next round; a \`worksite call … --wait\` that is still waiting runs it now)\n`,
    );
    // Grants carry no expiry of their own: --expires bounds only the one-time approval.
    if (grant)
      io.stdout(
        `  granted for this thread as ${grant.id}; the grant does not expire until revoked: ${suggestCommand(io, root, `approvals --revoke ${grant.id}`)}\n`,
      );
    return 0;
  },
});
