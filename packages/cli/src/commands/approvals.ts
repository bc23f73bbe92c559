import { listApprovals, listGrants, revokeGrant, type ApprovalRecord } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";
import { styler } from "../io.js";
import { cliAudit, personActor } from "../session-for-cli.js";
import { callCommand, commandAsRun } from "./command-as-run.js";

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
    const approvals = (await listApprovals(root)).filter(
      (a) => args.options.all || a.status === "pending" || (a.status === "approved" && !a.expired),
    );
    const grants = await listGrants(root);
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ approvals, grants }, null, 2)}\n`);
      return 0;
    }
    if (!approvals.length && !grants.length) {
      io.stdout("nothing waits for a person, and no grants are in force\n");
      return 0;
    }
    // In the order asked, grouped by tool (groups in the order of their first request): the first request a run made is on the first screen, however many followed.
    const groups = new Map<string, typeof approvals>();
    for (const a of approvals) groups.set(a.tool, [...(groups.get(a.tool) ?? []), a]);
    const waiting = approvals.filter((a) => a.status === "pending");
    if (waiting.length)
      io.stdout(
        `${paint("bold", `${waiting.length} ${waiting.length === 1 ? "call waits" : "calls wait"} for a person`)} ${paint("dim", "(in the order asked, by tool)")}\n`,
      );
    for (const [tool, list] of groups) {
      io.stdout(`${paint("bold", tool)} ${paint("dim", `(${list.length})`)}\n`);
      for (const a of list) {
        // A command is shown as it will run (its argv, shell-quoted), not as JSON with escaped quotes.
        const command = callCommand(a.input);
        io.stdout(
          `  ${paint("bold", a.id)}  ${status(a, paint)}  ${command ? `$ ${commandAsRun(command.command, command.cwd)}` : a.target !== undefined ? truncate(a.target, 100) : truncate(JSON.stringify(a.input), 100)}\n`,
        );
        io.stdout(
          paint(
            "dim",
            `      input ${truncate(JSON.stringify(a.input), 120)}; asked by ${a.requestedBy}${a.run ? ` in ${a.run}` : ""} at ${a.created}\n`,
          ),
        );
      }
    }
    if (waiting.length) {
      const runs = [...new Set(waiting.flatMap((a) => (a.run ? [a.run] : [])))];
      // The oldest request as the example: the one a person most likely decides first.
      const first = waiting[0]!.id;
      io.stdout(
        `approve: ${suggestCommand(io, root, `approve ${first}`)}   deny: ${suggestCommand(io, root, `deny ${first} --reason "…"`)}${runs.length ? `   deny a run's: ${suggestCommand(io, root, `deny --run ${runs[0]}`)}` : ""}\n`,
      );
    }
    if (grants.length) io.stdout(`${paint("bold", "grants for this thread")} (any input, this exact target)\n`);
    for (const g of grants) {
      io.stdout(
        `${paint("bold", g.id)}  ${g.tool} ${g.target}  ${paint("dim", `by ${g.by} at ${g.created}`)}\n    revoke: ${suggestCommand(io, root, `approvals --revoke ${g.id}`)}\n`,
      );
    }
    return 0;
  },
});

function status(a: ApprovalRecord & { expired?: boolean }, paint: ReturnType<typeof styler>): string {
  if (a.status === "pending") return paint("yellow", "pending ");
  if (a.status === "approved")
    return paint(
      a.expired ? "dim" : "green",
      a.expired ? "expired " : `approved by ${a.approvedBy}${a.expires ? ` until ${a.expires}` : ""}`,
    );
  if (a.status === "denied") return paint("red", `denied by ${a.deniedBy}${a.reason ? `: ${a.reason}` : ""}`);
  return paint("dim", `used ${a.consumedAt ?? ""}`);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
