import { listApprovals, listGrants, revokeGrant, type ApprovalRecord } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";
import { styler } from "../io.js";
import { cliAudit, personActor } from "../session-for-cli.js";

export default defineCommand({
  name: "approvals",
  usage: "approvals [--all] [--json] [--revoke GRANT-ID]",
  summary: "list calls waiting for a person, approvals not yet used, and grants for this thread",
  options: {
    all: { type: "boolean", description: "also show used and denied approvals" },
    revoke: { type: "string", description: "revoke a thread grant (gr_…)" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const paint = styler(io.isTTY);
    if (typeof args.options.revoke === "string") {
      const grant = await revokeGrant(root, args.options.revoke, { by: personActor(io), audit: cliAudit(root) });
      if (args.options.json) io.stdout(`${JSON.stringify({ revoked: grant }, null, 2)}\n`);
      else io.stdout(`revoked ${grant.id}: ${grant.tool} ${grant.target} needs approval again\n`);
      return 0;
    }
    const approvals = (await listApprovals(root)).filter((a) => args.options.all || a.status === "pending" || (a.status === "approved" && !a.expired));
    const grants = await listGrants(root);
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ approvals, grants }, null, 2)}\n`);
      return 0;
    }
    if (!approvals.length && !grants.length) {
      io.stdout("nothing waits for a person, and no grants are in force\n");
      return 0;
    }
    for (const a of approvals) {
      io.stdout(`${paint("bold", a.id)}  ${status(a, paint)}  ${a.tool}${a.target !== undefined ? ` ${a.target}` : ""}\n`);
      io.stdout(paint("dim", `    input ${truncate(JSON.stringify(a.input), 160)}\n    asked by ${a.requestedBy} at ${a.created}; ${a.decision.reason}\n`));
      if (a.status === "pending") io.stdout(`    approve: ${suggestCommand(io, root, `approve ${a.id}`)}   deny: ${suggestCommand(io, root, `deny ${a.id} --reason "…"`)}\n`);
    }
    if (grants.length) io.stdout(`${paint("bold", "grants for this thread")} (any input, this exact target)\n`);
    for (const g of grants) {
      io.stdout(`${paint("bold", g.id)}  ${g.tool} ${g.target}  ${paint("dim", `by ${g.by} at ${g.created}`)}\n    revoke: ${suggestCommand(io, root, `approvals --revoke ${g.id}`)}\n`);
    }
    return 0;
  },
});

function status(a: ApprovalRecord & { expired?: boolean }, paint: ReturnType<typeof styler>): string {
  if (a.status === "pending") return paint("yellow", "pending ");
  if (a.status === "approved") return paint(a.expired ? "dim" : "green", a.expired ? "expired " : `approved by ${a.approvedBy}${a.expires ? ` until ${a.expires}` : ""}`);
  if (a.status === "denied") return paint("red", `denied by ${a.deniedBy}${a.reason ? `: ${a.reason}` : ""}`);
  return paint("dim", `used ${a.consumedAt ?? ""}`);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
