import { loadWorksite, UserError } from "@worksite/core";
import { currentStanding, openSession, readState } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { personActor } from "../person.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "problem close",
  usage: 'problem close ID [--reason "…"]',
  summary: "close an open problem of the standing state (P1, P2, …) as a person's decision, recorded in the audit log",
  options: {
    reason: { type: "string", description: "why it is closed, for the next person and the audit log" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const id = (args.positionals[0] ?? "").toUpperCase();
    const worksite = await loadWorksite(root);
    const standing = await currentStanding(root, worksite, await readState(root));
    const problem = standing.open.find((p) => p.id === id);
    if (!problem) {
      const open = standing.open.map((p) => p.id);
      throw new UserError(id ? `${id} is not an open problem of this thread` : "problem close needs a problem id", {
        hint: open.length
          ? `open problems: ${open.join(", ")} (${suggestCommand(io, root, "report --standing")} shows them)`
          : "no problem is open",
      });
    }
    const by = personActor(io.env);
    const reason = typeof args.options.reason === "string" ? args.options.reason.trim() : undefined;
    // The audit log is the record: the run reads closures from it, so a run in progress cannot lose this one.
    const session = await openSession({ root, actor: by, threadPlugins: false });
    let seq: number;
    try {
      const entry = await session.audit.append({
        type: "note",
        actor: by,
        message: `closed problem ${id}${reason ? `: ${reason}` : ""} (${problem.text})`,
        data: { closeProblem: id, ...(reason ? { reason } : {}) },
      });
      seq = entry.seq;
    } finally {
      await session.dispose();
    }
    io.stdout(
      args.options.json
        ? `${JSON.stringify({ id, closed: true, by, audit: seq })}\n`
        : `closed ${id} (audit #${seq}); PROGRESS.md's standing state shows it after the next round, \`${suggestCommand(io, root, "report --standing")}\` now\n`,
    );
    return 0;
  },
});
