import { UserError } from "@worksite/core";
import { changedSince, listCheckpoints, openSession, readLock, rollbackTo } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { personActor } from "../person.js";

export default defineCommand({
  name: "rollback",
  usage: "rollback N [--yes]",
  summary: "restore the worksite's files to how they were after round N (asks first; the audit log and evidence are kept)",
  options: { yes: { type: "boolean", alias: "y", description: "do not ask for confirmation" } },
  async run(args, io) {
    const root = findWorksite(args, io);
    const round = Number.parseInt(args.positionals[0] ?? "", 10);
    if (!Number.isInteger(round)) throw new UserError("rollback needs a round number", { hint: "worksite rollback 2   (see rounds with: worksite report)" });
    const rounds = await listCheckpoints(root);
    if (!rounds.includes(round)) throw new UserError(`there is no checkpoint for round ${round}`, { hint: rounds.length ? `checkpoints exist for rounds ${rounds.join(", ")}` : "no round has run yet" });
    const lock = await readLock(root);
    if (lock) throw new UserError(`run ${lock.run} is working on this thread now`, { hint: "wait for it to stop, or steer it, before rolling back" });
    const changes = await changedSince(root, round);
    if (!changes.length) {
      io.stdout(`nothing to do: the files are as they were after round ${round}\n`);
      return 0;
    }
    io.stderr(`Rolling back to round ${round} restores ${changes.length} file(s):\n${changes.map((c) => `  ${c}`).join("\n")}\n`);
    if (!args.options.yes) {
      if (!io.confirm) throw new UserError("rollback asks for confirmation, and there is no terminal to ask on", { hint: `run it again with --yes: worksite rollback ${round} --yes` });
      if (!(await io.confirm("Restore these files?"))) {
        io.stdout("nothing changed\n");
        return 1;
      }
    }
    const result = await rollbackTo(root, round);
    const session = await openSession({ root, actor: personActor(io.env), threadPlugins: false });
    try {
      await session.audit.append({ type: "run", actor: personActor(io.env), message: `rolled back to round ${round}: ${result.restored.length} file(s) restored`, data: { round, files: result.restored, before: result.safety } });
    } finally {
      await session.dispose();
    }
    io.stdout(args.options.json ? `${JSON.stringify({ round, restored: result.restored, before: result.safety })}\n` : `restored ${result.restored.length} file(s) to round ${round}. What was there before is kept as checkpoint ${result.safety.slice(0, 10)}.\n`);
    return 0;
  },
});
