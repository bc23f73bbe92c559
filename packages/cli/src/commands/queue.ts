import { UserError } from "@worksite/core";
import { liveLock, pendingMessages, sendMessage } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { personActor } from "../person.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "queue",
  usage: 'queue "INSTRUCTION"',
  summary: "queue an instruction: it becomes the instruction of the next round, in order",
  async run(args, io) {
    const root = findWorksite(args, io);
    const text = args.positionals.join(" ").trim();
    if (!text)
      throw new UserError("queue needs an instruction", { hint: 'worksite queue "after this, update the README"' });
    const message = await sendMessage(root, "queue", text, personActor(io.env));
    const position = (await pendingMessages(root, "queue")).findIndex((m) => m.id === message.id) + 1;
    const running = await liveLock(root);
    const when = running
      ? `run ${running.run} takes it when a round starts`
      : `no run is active now; start one with: ${suggestCommand(io, root, "run")}`;
    io.stdout(
      args.options.json
        ? `${JSON.stringify({ ...message, position })}\n`
        : `queued (${message.id}), number ${position} in line for the next rounds; ${when}\n`,
    );
    return 0;
  },
});
