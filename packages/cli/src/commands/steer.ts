import { UserError } from "@worksite/core";
import { liveLock, sendMessage } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { personActor } from "../person.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "steer",
  usage: 'steer "MESSAGE"',
  summary: "redirect the running round now: the running tool is stopped and the agent continues in this direction",
  async run(args, io) {
    const root = findWorksite(args, io);
    const text = args.positionals.join(" ").trim();
    if (!text)
      throw new UserError("steer needs a message", {
        hint: 'worksite steer "stop the refactor; fix the failing test first"',
      });
    const message = await sendMessage(root, "steer", text, personActor(io.env));
    const running = await liveLock(root);
    const when = running
      ? `run ${running.run} takes it at its next safe point`
      : `no run is active now; the next \`${suggestCommand(io, root, "run")}\` takes it at the start of its first round`;
    io.stdout(
      args.options.json
        ? `${JSON.stringify({ ...message, running: running ? running.run : null })}\n`
        : `steering sent (${message.id}); ${when}\n`,
    );
    return 0;
  },
});
