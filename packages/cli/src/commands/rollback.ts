import { plural, UserError } from "@worksite/core";
import {
  auditRollback,
  canUndoRollback,
  changedSince,
  isRollback,
  listCheckpoints,
  liveLock,
  type RollbackResult,
  rollbackThread,
  undoThreadRollback,
  withRollbackLock,
} from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import type { CommandIO } from "../io.js";
import { personActor } from "../person.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "rollback",
  usage: "rollback N [--yes] | rollback --undo [--yes]",
  summary:
    "restore the worksite's files to how they were after round N, or undo the last rollback (asks first; the audit log, reports and evidence are kept)",
  options: {
    yes: { type: "boolean", alias: "y", description: "do not ask for confirmation" },
    undo: { type: "boolean", description: "put the files back as they were before the last rollback" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const undo = args.options.undo === true;
    const round = Number.parseInt(args.positionals[0] ?? "", 10);
    if (!undo && !Number.isInteger(round))
      throw new UserError("rollback needs a round number", {
        hint: `${suggestCommand(io, root, "rollback 2")}   (see rounds with: ${suggestCommand(io, root, "report")})`,
      });
    if (undo && args.positionals.length)
      throw new UserError("rollback --undo takes no round number", {
        hint: suggestCommand(io, root, "rollback --undo"),
      });
    const lock = await liveLock(root);
    if (lock && isRollback(lock))
      throw new UserError(`another rollback of this thread is restoring its files now (pid ${lock.pid})`, {
        hint: "wait for it to finish",
      });
    if (lock)
      throw new UserError(`run ${lock.run} is working on this thread now`, {
        hint: "wait for it to stop, or steer it, before rolling back",
      });

    // Held from the preview to the audit record: a run started meanwhile is refused with words, and no
    // other git process shares the checkpoint repository's index with this one (issue 21 item 3).
    return withRollbackLock(root, async () => {
      let changes: string[];
      if (undo) {
        if (!(await canUndoRollback(root)))
          throw new UserError("there is no rollback to undo", {
            hint: "only a `rollback N` that changed files can be undone",
          });
        changes = await changedSince(root, "refs/worksite/before-rollback");
      } else {
        const rounds = await listCheckpoints(root);
        if (!rounds.includes(round))
          throw new UserError(`there is no checkpoint for round ${round}`, {
            hint: rounds.length ? `checkpoints exist for rounds ${rounds.join(", ")}` : "no round has run yet",
          });
        changes = await changedSince(root, round);
      }
      const what = undo ? "Undoing the last rollback" : `Rolling back to round ${round}`;
      if (!changes.length) {
        io.stdout(
          undo
            ? "nothing to do: the files are as they were before the last rollback\n"
            : `nothing to do: the files are as they were after round ${round}\n`,
        );
        return 0;
      }
      io.stderr(`${what} restores ${plural(changes.length, "file")}:\n${changes.map((c) => `  ${c}`).join("\n")}\n`);
      if (!args.options.yes) {
        const again = suggestCommand(io, root, undo ? "rollback --undo --yes" : `rollback ${round} --yes`);
        if (!io.confirm)
          throw new UserError(
            `${undo ? "rollback --undo" : "rollback"} asks for confirmation, and there is no terminal to ask on`,
            { hint: `run it again with --yes: ${again}` },
          );
        if (!(await io.confirm("Restore these files?"))) {
          io.stdout("nothing changed\n");
          return 1;
        }
      }
      const by = personActor(io.env);
      const result = undo
        ? await undoThreadRollback(root, by, { locked: true })
        : await rollbackThread(root, round, by, { locked: true });
      await auditRollback(root, by, result, undo ? undefined : round);
      if (args.options.json) {
        io.stdout(
          `${JSON.stringify({ ...(undo ? { undo: true } : { round }), restored: result.restored, notRestored: result.notRestored, before: result.safety, nextRound: result.nextRound })}\n`,
        );
        return 0;
      }
      io.stdout(
        `${describe(io, root, undo ? "as they were before the last rollback" : `to round ${round}`, result)}\n`,
      );
      return 0;
    });
  },
});

function describe(io: CommandIO, root: string, to: string, result: RollbackResult): string {
  return [
    `restored ${plural(result.restored.length, "file")} ${to}.`,
    ...(result.notRestored.length
      ? [
          `Could not restore ${plural(result.notRestored.length, "path")} (left as they are):`,
          ...result.notRestored.map((s) => `  ${s.path} — ${s.reason}`),
        ]
      : []),
    `The next \`${suggestCommand(io, root, "run")}\` is round ${result.nextRound} and works from these files; PROGRESS.md keeps every earlier round.`,
    `What was there before is kept; put it back with: ${suggestCommand(io, root, "rollback --undo")}`,
  ].join("\n");
}
